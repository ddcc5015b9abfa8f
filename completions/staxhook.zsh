#compdef staxhook

autoload -U is-at-least

_staxhook() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_staxhook_commands" \
"*::: :->staxhook" \
&& ret=0
    case $state in
    (staxhook)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-command-$line[1]:"
        case $line[1] in
            (webhook)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_staxhook__subcmd__webhook_commands" \
"*::: :->webhook" \
&& ret=0

    case $state in
    (webhook)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-webhook-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
'--url=[Endpoint URL; may reference environment variables as \${NAME}]:URL:_default' \
'--channel=[The service \[default\: guessed from the URL\]]:CHANNEL:(slack teams discord pagerduty generic)' \
'*--event=[Subscribe to this event (repeatable) \[default\: all events; for pagerduty the paging ones\]]:EVENT:(scan_complete critical_vulnerability kev_found policy_violation sla_breach)' \
'(--secret-env)--secret=[Signing secret to store in the config]:SECRET:_default' \
'--secret-env=[Read the signing secret from this environment variable at send time]:VAR:_default' \
'--routing-key-env=[Read the PagerDuty routing key from this environment variable at send time]:VAR:_default' \
'*--header=[Extra request header (repeatable)]:NAME=VALUE:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--allow-insecure[Allow plain http\:// to a host other than loopback]' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':name -- Name\: 1 to 64 of A-Z a-z 0-9 _ -:_default' \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':name -- The webhook'\''s name:_default' \
&& ret=0
;;
(enable)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':name -- The webhook'\''s name:_default' \
&& ret=0
;;
(disable)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':name -- The webhook'\''s name:_default' \
&& ret=0
;;
(rotate-secret)
_arguments "${_arguments_options[@]}" : \
'--grace=[How long the old secret keeps signing (0s\: stop at once)]:DURATION:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':name -- The webhook'\''s name:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__webhook__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-webhook-help-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(enable)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(disable)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rotate-secret)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(send-test)
_arguments "${_arguments_options[@]}" : \
'--event=[Which event'\''s sample to send]:EVENT:(scan_complete critical_vulnerability kev_found policy_violation sla_breach)' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':name -- The webhook to send to (whatever its subscriptions):_default' \
&& ret=0
;;
(emit)
_arguments "${_arguments_options[@]}" : \
'--report=[A scanner'\''s JSON report (- for standard input)\: emit every event it implies]:FILE|-:_files' \
'--format=[The report'\''s format (auto\: recognised from its structure)]:FORMAT:(auto trivy grype osv cyclonedx npm-audit pip-audit cargo-audit sarif dependency-check snyk gitlab)' \
'--scan-id=[The scan'\''s id in the events \[default\: the report'\''s own id, else a new one\]]:ID:_default' \
'--kev-catalog=[A CISA KEV catalog (JSON) \[default\: the copy saved by \`staxhook kev update\`\]]:FILE:_files' \
'--epss=[FIRST'\''s EPSS scores (CSV, gzip-compressed or not) \[default\: the copy saved by \`staxhook epss update\`\]]:FILE:_files' \
'--repo=[Repository OWNER/NAME \[default\: from GITHUB_REPOSITORY, CI_PROJECT_PATH, BITBUCKET_REPO_FULL_NAME, BUILD_REPOSITORY_NAME or git'\''s origin\]]:OWNER/NAME:_default' \
'(--report)--data=[Event data\: inline JSON, @FILE, or - for stdin]:JSON|@FILE|-:_default' \
'(--report)*--set=[Set a data field, e.g. --set package.name=xz (a value that parses as JSON is JSON)]:PATH=VALUE:_default' \
'*--webhook=[Send only to this webhook, subscribed or not (repeatable)]:NAME:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--dry-run[Print the exact requests (headers with signatures, body) without sending or recording]' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
'::event -- The event to send (with --report\: only events of this kind):(scan_complete critical_vulnerability kev_found policy_violation sla_breach)' \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
'--secret=[The signing secret]:SECRET:_default' \
'--secret-env=[Read the signing secret from this environment variable]:VAR:_default' \
'--webhook=[Use this configured webhook'\''s secret (both during a rotate-secret grace period)]:NAME:_default' \
'--signature=[The X-CodeStax-Signature header value (one or more space-separated sha256=...)]:HEADER_VALUE:_default' \
'--max-age=[Also require the envelope'\''s timestamp to be at most this old (and not over 5 minutes ahead)]:DURATION:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
'::file -- The body exactly as received \[default\: - for stdin\]:_files' \
&& ret=0
;;
(log)
_arguments "${_arguments_options[@]}" : \
'--webhook=[Only deliveries to this webhook]:NAME:_default' \
'--event=[Only this event]:EVENT:(scan_complete critical_vulnerability kev_found policy_violation sla_breach)' \
'--status=[Only deliveries with this status]:STATUS:(pending delivered failed)' \
'--repo=[Only deliveries about this repository (exact)]:OWNER/NAME:_default' \
'--since=[Only deliveries from the last DURATION (e.g. 24h)]:DURATION:_default' \
'--limit=[At most N rows, newest first]:N:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_staxhook__subcmd__log_commands" \
"*::: :->log" \
&& ret=0

    case $state in
    (log)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-log-command-$line[1]:"
        case $line[1] in
            (show)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':id -- The delivery'\''s log id (the number in `staxhook log`):_default' \
&& ret=0
;;
(prune)
_arguments "${_arguments_options[@]}" : \
'--older-than=[Delete deliveries older than this \[default\: the configured retention\]]:DURATION:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__log__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-log-help-command-$line[1]:"
        case $line[1] in
            (show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(prune)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(redeliver)
_arguments "${_arguments_options[@]}" : \
'--since=[With --failed\: only deliveries from the last DURATION]:DURATION:_default' \
'()--repo=[With --failed\: only deliveries about this repository (exact)]:OWNER/NAME:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'()--failed[Every delivery whose latest try failed (or whose process died while it was pending)]' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
'*::ids -- Log ids of the deliveries to send again:_default' \
&& ret=0
;;
(findings)
_arguments "${_arguments_options[@]}" : \
'--repo=[Only this repository (OWNER/NAME)]:OWNER/NAME:_default' \
'--status=[Only open or only fixed findings]:STATUS:(open fixed)' \
'--severity=[Only this severity]:SEVERITY:(critical high medium low unknown)' \
'--sort=[The order\: severity (per repository, worst first), risk (KEV, then EPSS, then CVSS score, then severity) or first-seen (oldest first)]:ORDER:(severity risk first-seen)' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(history)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_staxhook__subcmd__history_commands" \
"*::: :->history" \
&& ret=0

    case $state in
    (history)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-history-command-$line[1]:"
        case $line[1] in
            (copy)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':from -- The history to read\: a SQLite file or a postgres\:// URL:_default' \
':to -- The history to write, created when missing\: a SQLite file or a postgres\:// URL:_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__history__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-history-help-command-$line[1]:"
        case $line[1] in
            (copy)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(kev)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_staxhook__subcmd__kev_commands" \
"*::: :->kev" \
&& ret=0

    case $state in
    (kev)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-kev-command-$line[1]:"
        case $line[1] in
            (update)
_arguments "${_arguments_options[@]}" : \
'--url=[Where to download it from]:URL:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__kev__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-kev-help-command-$line[1]:"
        case $line[1] in
            (update)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(epss)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_staxhook__subcmd__epss_commands" \
"*::: :->epss" \
&& ret=0

    case $state in
    (epss)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-epss-command-$line[1]:"
        case $line[1] in
            (update)
_arguments "${_arguments_options[@]}" : \
'--url=[Where to download them from (a gzip-compressed CSV)]:URL:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__epss__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-epss-help-command-$line[1]:"
        case $line[1] in
            (update)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(listen)
_arguments "${_arguments_options[@]}" : \
'--host=[Address to listen on]:HOST:_default' \
'--port=[Port to listen on (0 picks a free one; the real one is printed)]:PORT:_default' \
'--secret=[The signing secret]:SECRET:_default' \
'--secret-env=[Read the signing secret from this environment variable]:VAR:_default' \
'--webhook=[Use this configured webhook'\''s secret (both during a rotate-secret grace period)]:NAME:_default' \
'--status=[HTTP status to answer every request with (e.g. 503 to watch retries)]:CODE:_default' \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':shell -- bash, zsh, fish, elvish or powershell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--config=[Config file \[default\: ./staxhook.toml if present, else \$XDG_CONFIG_HOME/staxhook/config.toml\]]:PATH:_files' \
'--history=[Delivery history\: a SQLite file, or a postgres\:// URL \[default\: \`history\` in \[defaults\], else \$XDG_DATA_HOME/staxhook/history.db\]]:PATH|URL:_files' \
'--json[Print machine-readable JSON on stdout and nothing else there]' \
'(-v --verbose)-q[Print less on stderr]' \
'(-v --verbose)--quiet[Print less on stderr]' \
'-v[Print more on stderr]' \
'--verbose[Print more on stderr]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-help-command-$line[1]:"
        case $line[1] in
            (webhook)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__help__subcmd__webhook_commands" \
"*::: :->webhook" \
&& ret=0

    case $state in
    (webhook)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-help-webhook-command-$line[1]:"
        case $line[1] in
            (add)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(list)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rm)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(enable)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(disable)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(rotate-secret)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(send-test)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(emit)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(log)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__help__subcmd__log_commands" \
"*::: :->log" \
&& ret=0

    case $state in
    (log)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-help-log-command-$line[1]:"
        case $line[1] in
            (show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(prune)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(redeliver)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(findings)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(history)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__help__subcmd__history_commands" \
"*::: :->history" \
&& ret=0

    case $state in
    (history)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-help-history-command-$line[1]:"
        case $line[1] in
            (copy)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(kev)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__help__subcmd__kev_commands" \
"*::: :->kev" \
&& ret=0

    case $state in
    (kev)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-help-kev-command-$line[1]:"
        case $line[1] in
            (update)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(epss)
_arguments "${_arguments_options[@]}" : \
":: :_staxhook__subcmd__help__subcmd__epss_commands" \
"*::: :->epss" \
&& ret=0

    case $state in
    (epss)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:staxhook-help-epss-command-$line[1]:"
        case $line[1] in
            (update)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(listen)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_staxhook_commands] )) ||
_staxhook_commands() {
    local commands; commands=(
'webhook:Add, list, remove, enable or disable webhooks in the config' \
'send-test:Send built-in sample data, marked as a test, to one webhook' \
'emit:Send an event to every enabled webhook subscribed to it, or every event a scanner report implies (--report)' \
'verify:Check the X-CodeStax-Signature of a received body' \
'log:Show the delivery history, one delivery in detail, or prune it' \
'redeliver:Send recorded deliveries again (same delivery id, fresh signature, current URL)' \
'findings:Show the findings that \`emit --report\` tracks per repository' \
'history:Copy a history between SQLite files and PostgreSQL databases' \
'kev:Manage the CISA Known Exploited Vulnerabilities catalog' \
'epss:Manage FIRST'\''s EPSS scores (the probability that a CVE is exploited soon)' \
'listen:Run a local receiver for testing\: print each request and whether its signature is valid' \
'completions:Print shell completions (bash, zsh, fish, elvish, powershell)' \
'man:Print the man page (roff)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__completions_commands] )) ||
_staxhook__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook completions commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__emit_commands] )) ||
_staxhook__subcmd__emit_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook emit commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__epss_commands] )) ||
_staxhook__subcmd__epss_commands() {
    local commands; commands=(
'update:Download today'\''s scores (a conditional request; a failed or invalid download keeps the saved copy)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook epss commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__epss__subcmd__help_commands] )) ||
_staxhook__subcmd__epss__subcmd__help_commands() {
    local commands; commands=(
'update:Download today'\''s scores (a conditional request; a failed or invalid download keeps the saved copy)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook epss help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__epss__subcmd__help__subcmd__help_commands] )) ||
_staxhook__subcmd__epss__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook epss help help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__epss__subcmd__help__subcmd__update_commands] )) ||
_staxhook__subcmd__epss__subcmd__help__subcmd__update_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook epss help update commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__epss__subcmd__update_commands] )) ||
_staxhook__subcmd__epss__subcmd__update_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook epss update commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__findings_commands] )) ||
_staxhook__subcmd__findings_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook findings commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help_commands] )) ||
_staxhook__subcmd__help_commands() {
    local commands; commands=(
'webhook:Add, list, remove, enable or disable webhooks in the config' \
'send-test:Send built-in sample data, marked as a test, to one webhook' \
'emit:Send an event to every enabled webhook subscribed to it, or every event a scanner report implies (--report)' \
'verify:Check the X-CodeStax-Signature of a received body' \
'log:Show the delivery history, one delivery in detail, or prune it' \
'redeliver:Send recorded deliveries again (same delivery id, fresh signature, current URL)' \
'findings:Show the findings that \`emit --report\` tracks per repository' \
'history:Copy a history between SQLite files and PostgreSQL databases' \
'kev:Manage the CISA Known Exploited Vulnerabilities catalog' \
'epss:Manage FIRST'\''s EPSS scores (the probability that a CVE is exploited soon)' \
'listen:Run a local receiver for testing\: print each request and whether its signature is valid' \
'completions:Print shell completions (bash, zsh, fish, elvish, powershell)' \
'man:Print the man page (roff)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__completions_commands] )) ||
_staxhook__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help completions commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__emit_commands] )) ||
_staxhook__subcmd__help__subcmd__emit_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help emit commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__epss_commands] )) ||
_staxhook__subcmd__help__subcmd__epss_commands() {
    local commands; commands=(
'update:Download today'\''s scores (a conditional request; a failed or invalid download keeps the saved copy)' \
    )
    _describe -t commands 'staxhook help epss commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__epss__subcmd__update_commands] )) ||
_staxhook__subcmd__help__subcmd__epss__subcmd__update_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help epss update commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__findings_commands] )) ||
_staxhook__subcmd__help__subcmd__findings_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help findings commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__help_commands] )) ||
_staxhook__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__history_commands] )) ||
_staxhook__subcmd__help__subcmd__history_commands() {
    local commands; commands=(
'copy:Copy every delivery, attempt, finding and PagerDuty incident from one history to another (a SQLite file or a postgres\:// URL each); running it again copies nothing twice' \
    )
    _describe -t commands 'staxhook help history commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__history__subcmd__copy_commands] )) ||
_staxhook__subcmd__help__subcmd__history__subcmd__copy_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help history copy commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__kev_commands] )) ||
_staxhook__subcmd__help__subcmd__kev_commands() {
    local commands; commands=(
'update:Download the catalog (a conditional request; a failed or invalid download keeps the saved copy)' \
    )
    _describe -t commands 'staxhook help kev commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__kev__subcmd__update_commands] )) ||
_staxhook__subcmd__help__subcmd__kev__subcmd__update_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help kev update commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__listen_commands] )) ||
_staxhook__subcmd__help__subcmd__listen_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help listen commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__log_commands] )) ||
_staxhook__subcmd__help__subcmd__log_commands() {
    local commands; commands=(
'show:One delivery in detail\: request and every attempt'\''s response, like curl -v' \
'prune:Delete history older than a duration' \
    )
    _describe -t commands 'staxhook help log commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__log__subcmd__prune_commands] )) ||
_staxhook__subcmd__help__subcmd__log__subcmd__prune_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help log prune commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__log__subcmd__show_commands] )) ||
_staxhook__subcmd__help__subcmd__log__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help log show commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__man_commands] )) ||
_staxhook__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help man commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__redeliver_commands] )) ||
_staxhook__subcmd__help__subcmd__redeliver_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help redeliver commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__send-test_commands] )) ||
_staxhook__subcmd__help__subcmd__send-test_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help send-test commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__verify_commands] )) ||
_staxhook__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help verify commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__webhook_commands] )) ||
_staxhook__subcmd__help__subcmd__webhook_commands() {
    local commands; commands=(
'add:Add a webhook (prints a generated signing secret once unless --secret/--secret-env is given)' \
'list:List the configured webhooks' \
'rm:Remove a webhook' \
'enable:Enable a webhook' \
'disable:Disable a webhook (emit skips it; naming it with --webhook is an error)' \
'rotate-secret:Replace the signing secret with a new generated one (printed once); during the grace period requests carry both signatures and \`verify\` accepts either' \
    )
    _describe -t commands 'staxhook help webhook commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__webhook__subcmd__add_commands] )) ||
_staxhook__subcmd__help__subcmd__webhook__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help webhook add commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__webhook__subcmd__disable_commands] )) ||
_staxhook__subcmd__help__subcmd__webhook__subcmd__disable_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help webhook disable commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__webhook__subcmd__enable_commands] )) ||
_staxhook__subcmd__help__subcmd__webhook__subcmd__enable_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help webhook enable commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__webhook__subcmd__list_commands] )) ||
_staxhook__subcmd__help__subcmd__webhook__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help webhook list commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__webhook__subcmd__rm_commands] )) ||
_staxhook__subcmd__help__subcmd__webhook__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help webhook rm commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__help__subcmd__webhook__subcmd__rotate-secret_commands] )) ||
_staxhook__subcmd__help__subcmd__webhook__subcmd__rotate-secret_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook help webhook rotate-secret commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__history_commands] )) ||
_staxhook__subcmd__history_commands() {
    local commands; commands=(
'copy:Copy every delivery, attempt, finding and PagerDuty incident from one history to another (a SQLite file or a postgres\:// URL each); running it again copies nothing twice' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook history commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__history__subcmd__copy_commands] )) ||
_staxhook__subcmd__history__subcmd__copy_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook history copy commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__history__subcmd__help_commands] )) ||
_staxhook__subcmd__history__subcmd__help_commands() {
    local commands; commands=(
'copy:Copy every delivery, attempt, finding and PagerDuty incident from one history to another (a SQLite file or a postgres\:// URL each); running it again copies nothing twice' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook history help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__history__subcmd__help__subcmd__copy_commands] )) ||
_staxhook__subcmd__history__subcmd__help__subcmd__copy_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook history help copy commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__history__subcmd__help__subcmd__help_commands] )) ||
_staxhook__subcmd__history__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook history help help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__kev_commands] )) ||
_staxhook__subcmd__kev_commands() {
    local commands; commands=(
'update:Download the catalog (a conditional request; a failed or invalid download keeps the saved copy)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook kev commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__kev__subcmd__help_commands] )) ||
_staxhook__subcmd__kev__subcmd__help_commands() {
    local commands; commands=(
'update:Download the catalog (a conditional request; a failed or invalid download keeps the saved copy)' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook kev help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__kev__subcmd__help__subcmd__help_commands] )) ||
_staxhook__subcmd__kev__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook kev help help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__kev__subcmd__help__subcmd__update_commands] )) ||
_staxhook__subcmd__kev__subcmd__help__subcmd__update_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook kev help update commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__kev__subcmd__update_commands] )) ||
_staxhook__subcmd__kev__subcmd__update_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook kev update commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__listen_commands] )) ||
_staxhook__subcmd__listen_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook listen commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__log_commands] )) ||
_staxhook__subcmd__log_commands() {
    local commands; commands=(
'show:One delivery in detail\: request and every attempt'\''s response, like curl -v' \
'prune:Delete history older than a duration' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook log commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__log__subcmd__help_commands] )) ||
_staxhook__subcmd__log__subcmd__help_commands() {
    local commands; commands=(
'show:One delivery in detail\: request and every attempt'\''s response, like curl -v' \
'prune:Delete history older than a duration' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook log help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__log__subcmd__help__subcmd__help_commands] )) ||
_staxhook__subcmd__log__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook log help help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__log__subcmd__help__subcmd__prune_commands] )) ||
_staxhook__subcmd__log__subcmd__help__subcmd__prune_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook log help prune commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__log__subcmd__help__subcmd__show_commands] )) ||
_staxhook__subcmd__log__subcmd__help__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook log help show commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__log__subcmd__prune_commands] )) ||
_staxhook__subcmd__log__subcmd__prune_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook log prune commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__log__subcmd__show_commands] )) ||
_staxhook__subcmd__log__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook log show commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__man_commands] )) ||
_staxhook__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook man commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__redeliver_commands] )) ||
_staxhook__subcmd__redeliver_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook redeliver commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__send-test_commands] )) ||
_staxhook__subcmd__send-test_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook send-test commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__verify_commands] )) ||
_staxhook__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook verify commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook_commands] )) ||
_staxhook__subcmd__webhook_commands() {
    local commands; commands=(
'add:Add a webhook (prints a generated signing secret once unless --secret/--secret-env is given)' \
'list:List the configured webhooks' \
'rm:Remove a webhook' \
'enable:Enable a webhook' \
'disable:Disable a webhook (emit skips it; naming it with --webhook is an error)' \
'rotate-secret:Replace the signing secret with a new generated one (printed once); during the grace period requests carry both signatures and \`verify\` accepts either' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook webhook commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__add_commands] )) ||
_staxhook__subcmd__webhook__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook add commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__disable_commands] )) ||
_staxhook__subcmd__webhook__subcmd__disable_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook disable commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__enable_commands] )) ||
_staxhook__subcmd__webhook__subcmd__enable_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook enable commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help_commands() {
    local commands; commands=(
'add:Add a webhook (prints a generated signing secret once unless --secret/--secret-env is given)' \
'list:List the configured webhooks' \
'rm:Remove a webhook' \
'enable:Enable a webhook' \
'disable:Disable a webhook (emit skips it; naming it with --webhook is an error)' \
'rotate-secret:Replace the signing secret with a new generated one (printed once); during the grace period requests carry both signatures and \`verify\` accepts either' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'staxhook webhook help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help__subcmd__add_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help__subcmd__add_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook help add commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help__subcmd__disable_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help__subcmd__disable_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook help disable commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help__subcmd__enable_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help__subcmd__enable_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook help enable commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help__subcmd__help_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook help help commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help__subcmd__list_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook help list commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help__subcmd__rm_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook help rm commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__help__subcmd__rotate-secret_commands] )) ||
_staxhook__subcmd__webhook__subcmd__help__subcmd__rotate-secret_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook help rotate-secret commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__list_commands] )) ||
_staxhook__subcmd__webhook__subcmd__list_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook list commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__rm_commands] )) ||
_staxhook__subcmd__webhook__subcmd__rm_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook rm commands' commands "$@"
}
(( $+functions[_staxhook__subcmd__webhook__subcmd__rotate-secret_commands] )) ||
_staxhook__subcmd__webhook__subcmd__rotate-secret_commands() {
    local commands; commands=()
    _describe -t commands 'staxhook webhook rotate-secret commands' commands "$@"
}

if [ "$funcstack[1]" = "_staxhook" ]; then
    _staxhook "$@"
else
    compdef _staxhook staxhook
fi
