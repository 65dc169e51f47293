
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'otp' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'otp'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'otp' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a PIN the user typed (exit 0 = verified, 1 = not verified)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is known about an earlier send')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a pending OTP')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a one-time PIN')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List providers and what each supports; with NAME, its profile keys and an example')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Create, locate, show or check the config file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;verify' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The id `otp send` printed')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The code the user typed; "-" reads it from stdin; omitted on a terminal, prompts')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;status' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The id `otp send` printed')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;cancel' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The id `otp send` printed')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;completions' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;man' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;send' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Recipient in E.164 (+2347065250817); spaces, dashes, dots and parentheses are ignored')
            [CompletionResult]::new('--sender', '--sender', [CompletionResultType]::ParameterName, 'Sender ID / mask / alias')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Message template with {{code}} once; {{minutes}} is the TTL in minutes')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Use the profile''s templates.TAG instead of message')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'sms, whatsapp or voice [default: sms]')
            [CompletionResult]::new('--length', '--length', [CompletionResultType]::ParameterName, 'PIN length [default: 6]')
            [CompletionResult]::new('--pin-type', '--pin-type', [CompletionResultType]::ParameterName, 'numeric, alphanumeric or letters [default: numeric]')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Validity, e.g. 5m [default: 5m; at most 10m unless the profile raises max_ttl]')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Wrong tries allowed [default: 3]')
            [CompletionResult]::new('--pin', '--pin', [CompletionResultType]::ParameterName, 'Use this PIN instead of a generated one, where otp makes the PIN (`otp providers NAME` says)')
            [CompletionResult]::new('--app-hash', '--app-hash', [CompletionResultType]::ParameterName, 'Append the 11-character Android SMS Retriever hash as a last line')
            [CompletionResult]::new('--webotp-domain', '--webotp-domain', [CompletionResultType]::ParameterName, 'Append the WebOTP line "@DOMAIN #CODE" as the last line')
            [CompletionResult]::new('--callback-url', '--callback-url', [CompletionResultType]::ParameterName, 'Status webhook, where the provider takes one')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'Vendor field passed through as is (repeatable); overrides what otp set')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry failures where the request certainly did not leave [default: 0]')
            [CompletionResult]::new('--fallback', '--fallback', [CompletionResultType]::ParameterName, 'Profile to try next when the one before could not send (not_sent, or refused for credentials, funds, rate, block, sender or route); repeatable; adds to the profile''s `fallback` list. Never tried after an unknown outcome')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider, overriding the profile''s')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the exact request (secrets and PIN as ***); send nothing, write nothing. With a fallback chain, only the first profile''s request is printed; every profile is checked')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Ignore the per-number cooldown')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;providers' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;config' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config path in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective profile, each value''s source, secrets as ***')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the whole file offline; exit 0 or 3 with every problem listed')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;config;path' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;config;show' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;config;check' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--online', '--online', [CompletionResultType]::ParameterName, 'Also prove each profile''s credentials with the vendor''s cost-free call (a balance or account lookup; nothing is sent) and check the record store')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'otp;config;init' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider of the starter profile [default: the one that needs no account]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <user config dir>/otp/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile [default: the file''s default_profile, else its only profile]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: text or json')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, e.g. 30s [default: 30s]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the HTTP request and response on stderr (secrets and PINs redacted)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Text mode prints only the id, for ID=$(otp send ... -q)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'Plain text, no colour (also when NO_COLOR is set and not empty)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'otp;config;help' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config path in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective profile, each value''s source, secrets as ***')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the whole file offline; exit 0 or 3 with every problem listed')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;config;help;path' {
            break
        }
        'otp;config;help;show' {
            break
        }
        'otp;config;help;check' {
            break
        }
        'otp;config;help;init' {
            break
        }
        'otp;config;help;help' {
            break
        }
        'otp;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check a PIN the user typed (exit 0 = verified, 1 = not verified)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show what is known about an earlier send')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Cancel a pending OTP')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a one-time PIN')
            [CompletionResult]::new('providers', 'providers', [CompletionResultType]::ParameterValue, 'List providers and what each supports; with NAME, its profile keys and an example')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Create, locate, show or check the config file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'otp;help;verify' {
            break
        }
        'otp;help;status' {
            break
        }
        'otp;help;cancel' {
            break
        }
        'otp;help;completions' {
            break
        }
        'otp;help;man' {
            break
        }
        'otp;help;send' {
            break
        }
        'otp;help;providers' {
            break
        }
        'otp;help;config' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config path in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective profile, each value''s source, secrets as ***')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Validate the whole file offline; exit 0 or 3 with every problem listed')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter file (mode 0600); never overwrites. On a terminal, asks for the provider and its required keys; with --profile NAME, adds that profile to an existing file')
            break
        }
        'otp;help;config;path' {
            break
        }
        'otp;help;config;show' {
            break
        }
        'otp;help;config;check' {
            break
        }
        'otp;help;config;init' {
            break
        }
        'otp;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
