
use builtin;
use str;

set edit:completion:arg-completer[otp] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'otp'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'otp'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check a PIN the user typed (exit 0 = verified, 1 = not verified)'
            cand status 'Show what is known about an earlier send'
            cand cancel 'Cancel a pending OTP'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand send 'Send a one-time PIN'
            cand providers 'List providers and what each supports; with NAME, its profile keys and an example'
            cand config 'Create, locate, show or check the config file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;verify'= {
            cand --id 'The id `otp send` printed'
            cand --code 'The code the user typed; "-" reads it from stdin; omitted on a terminal, prompts'
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;status'= {
            cand --id 'The id `otp send` printed'
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;cancel'= {
            cand --id 'The id `otp send` printed'
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;completions'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;man'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;send'= {
            cand --to 'Recipient in E.164 (+2347065250817); spaces, dashes, dots and parentheses are ignored'
            cand --sender 'Sender ID / mask / alias'
            cand --message 'Message template with {{code}} once; {{minutes}} is the TTL in minutes'
            cand --lang 'Use the profile''s templates.TAG instead of message'
            cand --channel 'sms, whatsapp or voice [default: sms]'
            cand --length 'PIN length [default: 6]'
            cand --pin-type 'numeric, alphanumeric or letters [default: numeric]'
            cand --ttl 'Validity, e.g. 5m [default: 5m; at most 10m unless the profile raises max_ttl]'
            cand --attempts 'Wrong tries allowed [default: 3]'
            cand --pin 'Use this PIN instead of a generated one, where otp makes the PIN (`otp providers NAME` says)'
            cand --app-hash 'Append the 11-character Android SMS Retriever hash as a last line'
            cand --webotp-domain 'Append the WebOTP line "@DOMAIN #CODE" as the last line'
            cand --callback-url 'Status webhook, where the provider takes one'
            cand --param 'Vendor field passed through as is (repeatable); overrides what otp set'
            cand --retries 'Retry failures where the request certainly did not leave [default: 0]'
            cand --fallback 'Profile to try next when the one before could not send (not_sent, or refused for credentials, funds, rate, block, sender or route); repeatable; adds to the profile''s `fallback` list. Never tried after an unknown outcome'
            cand --provider 'Provider, overriding the profile''s'
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --dry-run 'Print the exact request (secrets and PIN as ***); send nothing, write nothing. With a fallback chain, only the first profile''s request is printed; every profile is checked'
            cand --force 'Ignore the per-number cooldown'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;providers'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;config'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand path 'Print the config path in use'
            cand show 'Print the effective profile, each value''s source, secrets as ***'
            cand check 'Validate the whole file offline; exit 0 or 3 with every problem listed'
            cand init 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;config;path'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;config;show'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;config;check'= {
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --online 'Also prove each profile''s credentials with the vendor''s cost-free call (a balance or account lookup; nothing is sent) and check the record store'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'otp;config;init'= {
            cand --provider 'Provider of the starter profile [default: the one that needs no account]'
            cand -c 'Config file [default: <user config dir>/otp/config.toml]'
            cand --config 'Config file [default: <user config dir>/otp/config.toml]'
            cand -p 'Profile [default: the file''s default_profile, else its only profile]'
            cand --profile 'Profile [default: the file''s default_profile, else its only profile]'
            cand -o 'Output format: text or json'
            cand --output 'Output format: text or json'
            cand --timeout 'Whole-request timeout, e.g. 30s [default: 30s]'
            cand --json 'Short for --output json'
            cand -v 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand --verbose 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
            cand -q 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --quiet 'Text mode prints only the id, for ID=$(otp send ... -q)'
            cand --no-color 'Plain text, no colour (also when NO_COLOR is set and not empty)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'otp;config;help'= {
            cand path 'Print the config path in use'
            cand show 'Print the effective profile, each value''s source, secrets as ***'
            cand check 'Validate the whole file offline; exit 0 or 3 with every problem listed'
            cand init 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;config;help;path'= {
        }
        &'otp;config;help;show'= {
        }
        &'otp;config;help;check'= {
        }
        &'otp;config;help;init'= {
        }
        &'otp;config;help;help'= {
        }
        &'otp;help'= {
            cand verify 'Check a PIN the user typed (exit 0 = verified, 1 = not verified)'
            cand status 'Show what is known about an earlier send'
            cand cancel 'Cancel a pending OTP'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page (roff)'
            cand send 'Send a one-time PIN'
            cand providers 'List providers and what each supports; with NAME, its profile keys and an example'
            cand config 'Create, locate, show or check the config file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'otp;help;verify'= {
        }
        &'otp;help;status'= {
        }
        &'otp;help;cancel'= {
        }
        &'otp;help;completions'= {
        }
        &'otp;help;man'= {
        }
        &'otp;help;send'= {
        }
        &'otp;help;providers'= {
        }
        &'otp;help;config'= {
            cand path 'Print the config path in use'
            cand show 'Print the effective profile, each value''s source, secrets as ***'
            cand check 'Validate the whole file offline; exit 0 or 3 with every problem listed'
            cand init 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file'
        }
        &'otp;help;config;path'= {
        }
        &'otp;help;config;show'= {
        }
        &'otp;help;config;check'= {
        }
        &'otp;help;config;init'= {
        }
        &'otp;help;help'= {
        }
    ]
    $completions[$command]
}
