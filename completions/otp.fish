# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_otp_global_optspecs
    string join \n c/config= p/profile= o/output= json v/verbose q/quiet timeout= no-color h/help V/version
end

function __fish_otp_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_otp_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_otp_using_subcommand
    set -l cmd (__fish_otp_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c otp -n "__fish_otp_needs_command" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_needs_command" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_needs_command" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_needs_command" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_needs_command" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_needs_command" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_needs_command" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_needs_command" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_needs_command" -s V -l version -d 'Print version'
complete -c otp -n "__fish_otp_needs_command" -f -a "verify" -d 'Check a PIN the user typed (exit 0 = verified, 1 = not verified)'
complete -c otp -n "__fish_otp_needs_command" -f -a "status" -d 'Show what is known about an earlier send'
complete -c otp -n "__fish_otp_needs_command" -f -a "cancel" -d 'Cancel a pending OTP'
complete -c otp -n "__fish_otp_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c otp -n "__fish_otp_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c otp -n "__fish_otp_needs_command" -f -a "send" -d 'Send a one-time PIN'
complete -c otp -n "__fish_otp_needs_command" -f -a "providers" -d 'List providers and what each supports; with NAME, its profile keys and an example'
complete -c otp -n "__fish_otp_needs_command" -f -a "config" -d 'Create, locate, show or check the config file'
complete -c otp -n "__fish_otp_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand verify" -l id -d 'The id `otp send` printed' -r
complete -c otp -n "__fish_otp_using_subcommand verify" -l code -d 'The code the user typed; "-" reads it from stdin; omitted on a terminal, prompts' -r
complete -c otp -n "__fish_otp_using_subcommand verify" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand verify" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand verify" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand verify" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand verify" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand verify" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand verify" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand verify" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand verify" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand status" -l id -d 'The id `otp send` printed' -r
complete -c otp -n "__fish_otp_using_subcommand status" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand status" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand status" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand status" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand status" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand status" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand status" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand status" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand status" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand cancel" -l id -d 'The id `otp send` printed' -r
complete -c otp -n "__fish_otp_using_subcommand cancel" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand cancel" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand cancel" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand cancel" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand cancel" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand cancel" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand cancel" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand cancel" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand cancel" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand completions" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand completions" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand completions" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand completions" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand completions" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand completions" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand completions" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand completions" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand completions" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand man" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand man" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand man" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand man" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand man" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand man" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand man" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand man" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand man" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand send" -l to -d 'Recipient in E.164 (+2347065250817); spaces, dashes, dots and parentheses are ignored' -r -f
complete -c otp -n "__fish_otp_using_subcommand send" -l sender -d 'Sender ID / mask / alias' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l message -d 'Message template with {{code}} once; {{minutes}} is the TTL in minutes' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l lang -d 'Use the profile\'s templates.TAG instead of message' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l channel -d 'sms, whatsapp or voice [default: sms]' -r -f -a "sms\t''
whatsapp\t''
voice\t''"
complete -c otp -n "__fish_otp_using_subcommand send" -l length -d 'PIN length [default: 6]' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l pin-type -d 'numeric, alphanumeric or letters [default: numeric]' -r -f -a "numeric\t''
alphanumeric\t''
letters\t''"
complete -c otp -n "__fish_otp_using_subcommand send" -l ttl -d 'Validity, e.g. 5m [default: 5m; at most 10m unless the profile raises max_ttl]' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l attempts -d 'Wrong tries allowed [default: 3]' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l pin -d 'Use this PIN instead of a generated one, where otp makes the PIN (`otp providers NAME` says)' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l app-hash -d 'Append the 11-character Android SMS Retriever hash as a last line' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l webotp-domain -d 'Append the WebOTP line "@DOMAIN #CODE" as the last line' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l callback-url -d 'Status webhook, where the provider takes one' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l param -d 'Vendor field passed through as is (repeatable); overrides what otp set' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l retries -d 'Retry failures where the request certainly did not leave [default: 0]' -r
complete -c otp -n "__fish_otp_using_subcommand send" -l fallback -d 'Profile to try next when the one before could not send (not_sent, or refused for credentials, funds, rate, block, sender or route); repeatable; adds to the profile\'s `fallback` list. Never tried after an unknown outcome' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand send" -l provider -d 'Provider, overriding the profile\'s' -r -f -a "console\t'Console'
termii\t'Termii'
smscx\t'SMS.cx'
cinnox\t'CINNOX'
aws\t'AWS End User Messaging SMS'
sns\t'Amazon SNS'
africastalking\t'Africa\'s Talking'
shoutout\t'ShoutOUT'
zender\t'Zender (androidapi.net)'
androidapi\t'Zender (androidapi.net) (alias of zender)'
twilio\t'Twilio Verify'
vonage\t'Vonage Verify v2'
plivo\t'Plivo Verify'
prelude\t'Prelude Verify v2'
msg91\t'MSG91 OTP'
infobip\t'Infobip 2FA'
sinch\t'Sinch Verification'
telesign\t'Telesign SMS Verify'"
complete -c otp -n "__fish_otp_using_subcommand send" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand send" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand send" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand send" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand send" -l dry-run -d 'Print the exact request (secrets and PIN as ***); send nothing, write nothing. With a fallback chain, only the first profile\'s request is printed; every profile is checked'
complete -c otp -n "__fish_otp_using_subcommand send" -l force -d 'Ignore the per-number cooldown'
complete -c otp -n "__fish_otp_using_subcommand send" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand send" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand send" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand send" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand send" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand providers" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand providers" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand providers" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand providers" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand providers" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand providers" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand providers" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand providers" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand providers" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -f -a "path" -d 'Print the config path in use'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -f -a "show" -d 'Print the effective profile, each value\'s source, secrets as ***'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -f -a "check" -d 'Validate the whole file offline; exit 0 or 3 with every problem listed'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -f -a "init" -d 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file'
complete -c otp -n "__fish_otp_using_subcommand config; and not __fish_seen_subcommand_from path show check init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -l online -d 'Also prove each profile\'s credentials with the vendor\'s cost-free call (a balance or account lookup; nothing is sent) and check the record store'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -l provider -d 'Provider of the starter profile [default: the one that needs no account]' -r -f -a "console\t'Console'
termii\t'Termii'
smscx\t'SMS.cx'
cinnox\t'CINNOX'
aws\t'AWS End User Messaging SMS'
sns\t'Amazon SNS'
africastalking\t'Africa\'s Talking'
shoutout\t'ShoutOUT'
zender\t'Zender (androidapi.net)'
androidapi\t'Zender (androidapi.net) (alias of zender)'
twilio\t'Twilio Verify'
vonage\t'Vonage Verify v2'
plivo\t'Plivo Verify'
prelude\t'Prelude Verify v2'
msg91\t'MSG91 OTP'
infobip\t'Infobip 2FA'
sinch\t'Sinch Verification'
telesign\t'Telesign SMS Verify'"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -s c -l config -d 'Config file [default: <user config dir>/otp/config.toml]' -r -F
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -s p -l profile -d 'Profile [default: the file\'s default_profile, else its only profile]' -r -f -a "(__fish_otp_profiles)"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -s o -l output -d 'Output format: text or json' -r -f -a "text\t''
json\t''"
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -l timeout -d 'Whole-request timeout, e.g. 30s [default: 30s]' -r -f
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -l json -d 'Short for --output json'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Show the HTTP request and response on stderr (secrets and PINs redacted)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Text mode prints only the id, for ID=$(otp send ... -q)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -l no-color -d 'Plain text, no colour (also when NO_COLOR is set and not empty)'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the config path in use'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective profile, each value\'s source, secrets as ***'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the whole file offline; exit 0 or 3 with every problem listed'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file'
complete -c otp -n "__fish_otp_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "verify" -d 'Check a PIN the user typed (exit 0 = verified, 1 = not verified)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "status" -d 'Show what is known about an earlier send'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "cancel" -d 'Cancel a pending OTP'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "completions" -d 'Print a shell completion script'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "man" -d 'Print the man page (roff)'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "send" -d 'Send a one-time PIN'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "providers" -d 'List providers and what each supports; with NAME, its profile keys and an example'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "config" -d 'Create, locate, show or check the config file'
complete -c otp -n "__fish_otp_using_subcommand help; and not __fish_seen_subcommand_from verify status cancel completions man send providers config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print the config path in use'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective profile, each value\'s source, secrets as ***'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Validate the whole file offline; exit 0 or 3 with every problem listed'
complete -c otp -n "__fish_otp_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file'

# Profile names for -p/--profile and --fallback, from the config in use.
function __fish_otp_profiles
    set -l tokens (commandline -opc)
    set -l cfg
    set -l n (count $tokens)
    for i in (seq 2 $n)
        if contains -- $tokens[$i] -c --config; and test $i -lt $n
            set cfg --config $tokens[(math $i + 1)]
        else if string match -q -- '--config=*' $tokens[$i]
            set cfg --config (string replace -- '--config=' '' $tokens[$i])
        end
    end
    $tokens[1] $cfg __complete-profiles 2>/dev/null
end
