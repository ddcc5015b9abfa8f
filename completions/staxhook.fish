# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_staxhook_global_optspecs
    string join \n config= history= json q/quiet v/verbose h/help V/version
end

function __fish_staxhook_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_staxhook_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_staxhook_using_subcommand
    set -l cmd (__fish_staxhook_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c staxhook -n "__fish_staxhook_needs_command" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_needs_command" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_needs_command" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_needs_command" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_needs_command" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_needs_command" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_needs_command" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "webhook" -d 'Add, list, remove, enable or disable webhooks in the config'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "send-test" -d 'Send built-in sample data, marked as a test, to one webhook'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "emit" -d 'Send an event to every enabled webhook subscribed to it, or every event a scanner report implies (--report)'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "verify" -d 'Check the X-CodeStax-Signature of a received body'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "log" -d 'Show the delivery history, one delivery in detail, or prune it'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "redeliver" -d 'Send recorded deliveries again (same delivery id, fresh signature, current URL)'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "findings" -d 'Show the findings that `emit --report` tracks per repository'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "history" -d 'Copy a history between SQLite files and PostgreSQL databases'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "kev" -d 'Manage the CISA Known Exploited Vulnerabilities catalog'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "epss" -d 'Manage FIRST\'s EPSS scores (the probability that a CVE is exploited soon)'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "listen" -d 'Run a local receiver for testing: print each request and whether its signature is valid'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, elvish, powershell)'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "man" -d 'Print the man page (roff)'
complete -c staxhook -n "__fish_staxhook_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -f -a "add" -d 'Add a webhook (prints a generated signing secret once unless --secret/--secret-env is given)'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -f -a "list" -d 'List the configured webhooks'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -f -a "rm" -d 'Remove a webhook'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -f -a "enable" -d 'Enable a webhook'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -f -a "disable" -d 'Disable a webhook (emit skips it; naming it with --webhook is an error)'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -f -a "rotate-secret" -d 'Replace the signing secret with a new generated one (printed once); during the grace period requests carry both signatures and `verify` accepts either'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and not __fish_seen_subcommand_from add list rm enable disable rotate-secret help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l url -d 'Endpoint URL; may reference environment variables as ${NAME}' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l channel -d 'The service [default: guessed from the URL]' -r -f -a "slack\t''
teams\t''
discord\t''
pagerduty\t''
generic\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l event -d 'Subscribe to this event (repeatable) [default: all events; for pagerduty the paging ones]' -r -f -a "scan_complete\t''
critical_vulnerability\t''
kev_found\t''
policy_violation\t''
sla_breach\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l secret -d 'Signing secret to store in the config' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l secret-env -d 'Read the signing secret from this environment variable at send time' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l routing-key-env -d 'Read the PagerDuty routing key from this environment variable at send time' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l header -d 'Extra request header (repeatable)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l allow-insecure -d 'Allow plain http:// to a host other than loopback'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from list" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from list" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from list" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rm" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rm" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rm" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rm" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from enable" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from enable" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from enable" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from enable" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from disable" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from disable" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l grace -d 'How long the old secret keeps signing (0s: stop at once)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from rotate-secret" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a webhook (prints a generated signing secret once unless --secret/--secret-env is given)'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the configured webhooks'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove a webhook'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Enable a webhook'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Disable a webhook (emit skips it; naming it with --webhook is an error)'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "rotate-secret" -d 'Replace the signing secret with a new generated one (printed once); during the grace period requests carry both signatures and `verify` accepts either'
complete -c staxhook -n "__fish_staxhook_using_subcommand webhook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -l event -d 'Which event\'s sample to send' -r -f -a "scan_complete\t''
critical_vulnerability\t''
kev_found\t''
policy_violation\t''
sla_breach\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand send-test" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l report -d 'A scanner\'s JSON report (- for standard input): emit every event it implies' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l format -d 'The report\'s format (auto: recognised from its structure)' -r -f -a "auto\t''
trivy\t''
grype\t''
osv\t''
cyclonedx\t''
npm-audit\t''
pip-audit\t''
cargo-audit\t''
sarif\t''
dependency-check\t''
snyk\t''
gitlab\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l scan-id -d 'The scan\'s id in the events [default: the report\'s own id, else a new one]' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l kev-catalog -d 'A CISA KEV catalog (JSON) [default: the copy saved by `staxhook kev update`]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l epss -d 'FIRST\'s EPSS scores (CSV, gzip-compressed or not) [default: the copy saved by `staxhook epss update`]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l repo -d 'Repository OWNER/NAME [default: from GITHUB_REPOSITORY, CI_PROJECT_PATH, BITBUCKET_REPO_FULL_NAME, BUILD_REPOSITORY_NAME or git\'s origin]' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l data -d 'Event data: inline JSON, @FILE, or - for stdin' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l set -d 'Set a data field, e.g. --set package.name=xz (a value that parses as JSON is JSON)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l webhook -d 'Send only to this webhook, subscribed or not (repeatable)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l dry-run -d 'Print the exact requests (headers with signatures, body) without sending or recording'
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand emit" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l secret -d 'The signing secret' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l secret-env -d 'Read the signing secret from this environment variable' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l webhook -d 'Use this configured webhook\'s secret (both during a rotate-secret grace period)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l signature -d 'The X-CodeStax-Signature header value (one or more space-separated sha256=...)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l max-age -d 'Also require the envelope\'s timestamp to be at most this old (and not over 5 minutes ahead)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand verify" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l webhook -d 'Only deliveries to this webhook' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l event -d 'Only this event' -r -f -a "scan_complete\t''
critical_vulnerability\t''
kev_found\t''
policy_violation\t''
sla_breach\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l status -d 'Only deliveries with this status' -r -f -a "pending\t''
delivered\t''
failed\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l repo -d 'Only deliveries about this repository (exact)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l since -d 'Only deliveries from the last DURATION (e.g. 24h)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l limit -d 'At most N rows, newest first' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -f -a "show" -d 'One delivery in detail: request and every attempt\'s response, like curl -v'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -f -a "prune" -d 'Delete history older than a duration'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and not __fish_seen_subcommand_from show prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from show" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from show" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -l older-than -d 'Delete deliveries older than this [default: the configured retention]' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "show" -d 'One delivery in detail: request and every attempt\'s response, like curl -v'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Delete history older than a duration'
complete -c staxhook -n "__fish_staxhook_using_subcommand log; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -l since -d 'With --failed: only deliveries from the last DURATION' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -l repo -d 'With --failed: only deliveries about this repository (exact)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -l failed -d 'Every delivery whose latest try failed (or whose process died while it was pending)'
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand redeliver" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -l repo -d 'Only this repository (OWNER/NAME)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -l status -d 'Only open or only fixed findings' -r -f -a "open\t''
fixed\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -l severity -d 'Only this severity' -r -f -a "critical\t''
high\t''
medium\t''
low\t''
unknown\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -l sort -d 'The order: severity (per repository, worst first), risk (KEV, then EPSS, then CVSS score, then severity) or first-seen (oldest first)' -r -f -a "severity\t''
risk\t''
first-seen\t''"
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand findings" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -f -a "copy" -d 'Copy every delivery, attempt, finding and PagerDuty incident from one history to another (a SQLite file or a postgres:// URL each); running it again copies nothing twice'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and not __fish_seen_subcommand_from copy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from copy" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from copy" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from copy" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from copy" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from copy" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from copy" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from copy" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "copy" -d 'Copy every delivery, attempt, finding and PagerDuty incident from one history to another (a SQLite file or a postgres:// URL each); running it again copies nothing twice'
complete -c staxhook -n "__fish_staxhook_using_subcommand history; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -f -a "update" -d 'Download the catalog (a conditional request; a failed or invalid download keeps the saved copy)'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and not __fish_seen_subcommand_from update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -l url -d 'Where to download it from' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from help" -f -a "update" -d 'Download the catalog (a conditional request; a failed or invalid download keeps the saved copy)'
complete -c staxhook -n "__fish_staxhook_using_subcommand kev; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -f -a "update" -d 'Download today\'s scores (a conditional request; a failed or invalid download keeps the saved copy)'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and not __fish_seen_subcommand_from update help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -l url -d 'Where to download them from (a gzip-compressed CSV)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from help" -f -a "update" -d 'Download today\'s scores (a conditional request; a failed or invalid download keeps the saved copy)'
complete -c staxhook -n "__fish_staxhook_using_subcommand epss; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l host -d 'Address to listen on' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l port -d 'Port to listen on (0 picks a free one; the real one is printed)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l secret -d 'The signing secret' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l secret-env -d 'Read the signing secret from this environment variable' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l webhook -d 'Use this configured webhook\'s secret (both during a rotate-secret grace period)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l status -d 'HTTP status to answer every request with (e.g. 503 to watch retries)' -r
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand listen" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand completions" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand completions" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand completions" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand completions" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand completions" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand completions" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand completions" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand man" -l config -d 'Config file [default: ./staxhook.toml if present, else $XDG_CONFIG_HOME/staxhook/config.toml]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand man" -l history -d 'Delivery history: a SQLite file, or a postgres:// URL [default: `history` in [defaults], else $XDG_DATA_HOME/staxhook/history.db]' -r -F
complete -c staxhook -n "__fish_staxhook_using_subcommand man" -l json -d 'Print machine-readable JSON on stdout and nothing else there'
complete -c staxhook -n "__fish_staxhook_using_subcommand man" -s q -l quiet -d 'Print less on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand man" -s v -l verbose -d 'Print more on stderr'
complete -c staxhook -n "__fish_staxhook_using_subcommand man" -s h -l help -d 'Print help'
complete -c staxhook -n "__fish_staxhook_using_subcommand man" -s V -l version -d 'Print version'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "webhook" -d 'Add, list, remove, enable or disable webhooks in the config'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "send-test" -d 'Send built-in sample data, marked as a test, to one webhook'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "emit" -d 'Send an event to every enabled webhook subscribed to it, or every event a scanner report implies (--report)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "verify" -d 'Check the X-CodeStax-Signature of a received body'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "log" -d 'Show the delivery history, one delivery in detail, or prune it'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "redeliver" -d 'Send recorded deliveries again (same delivery id, fresh signature, current URL)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "findings" -d 'Show the findings that `emit --report` tracks per repository'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "history" -d 'Copy a history between SQLite files and PostgreSQL databases'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "kev" -d 'Manage the CISA Known Exploited Vulnerabilities catalog'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "epss" -d 'Manage FIRST\'s EPSS scores (the probability that a CVE is exploited soon)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "listen" -d 'Run a local receiver for testing: print each request and whether its signature is valid'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "completions" -d 'Print shell completions (bash, zsh, fish, elvish, powershell)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "man" -d 'Print the man page (roff)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and not __fish_seen_subcommand_from webhook send-test emit verify log redeliver findings history kev epss listen completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "add" -d 'Add a webhook (prints a generated signing secret once unless --secret/--secret-env is given)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "list" -d 'List the configured webhooks'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "rm" -d 'Remove a webhook'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "enable" -d 'Enable a webhook'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "disable" -d 'Disable a webhook (emit skips it; naming it with --webhook is an error)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from webhook" -f -a "rotate-secret" -d 'Replace the signing secret with a new generated one (printed once); during the grace period requests carry both signatures and `verify` accepts either'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "show" -d 'One delivery in detail: request and every attempt\'s response, like curl -v'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from log" -f -a "prune" -d 'Delete history older than a duration'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from history" -f -a "copy" -d 'Copy every delivery, attempt, finding and PagerDuty incident from one history to another (a SQLite file or a postgres:// URL each); running it again copies nothing twice'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from kev" -f -a "update" -d 'Download the catalog (a conditional request; a failed or invalid download keeps the saved copy)'
complete -c staxhook -n "__fish_staxhook_using_subcommand help; and __fish_seen_subcommand_from epss" -f -a "update" -d 'Download today\'s scores (a conditional request; a failed or invalid download keeps the saved copy)'
