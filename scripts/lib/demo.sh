# shellcheck shell=bash
# The demo's first use, shared by scripts/serve (one ibgate on SQLite) and scripts/cluster
# (several ibgate instances on PostgreSQL behind a proxy). Sourced, not run; bash.
#
#   demo_init_once IBGATE DATA WEB_ROOT MARKER [INIT_ARG...]
#       `ibgate init` of DATA unless the file MARKER exists: the institution (code and name) from
#       WEB_ROOT/config.json, so the page and the server agree; hash cost $IBGATE_HASH_COST
#       (interactive). INIT_ARGs go to `init` as well (e.g. --database URL).
#   demo_server_ca_once IBGATE DATA
#       gives a data directory from before the server CA was split from the client CA a server CA
#       and a server certificate of its own (users and customer certificates are kept).
#   demo_user_once IBGATE DATA DEMO
#       unless DEMO/credentials.txt exists: the user demo01 with a new password, a client
#       certificate (DEMO/demo01.p12 for the browser, .pem/.key for tools) and credentials.txt
#       with the user ID, password and import password.
#   demo_banner DATA DEMO APP_ORIGIN [HINT]
#       prints where the page, the demo certificate and the login are; HINT replaces the line
#       about scripts/serve --browser.
# Messages name the calling script (serve:, cluster:).

demo_who=${0##*/}

demo_init_once() {
  local ibgate=$1 data=$2 web_root=$3 marker=$4
  shift 4
  [ -f "$marker" ] && return 0
  local code=1234 name="サンプル信用金庫"
  if [ -f "$web_root/config.json" ]; then
    read -r code name < <(python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["credit_union"]
print(c["institution_code"], c["name"]["ja"])' "$web_root/config.json")
  fi
  mkdir -p "$(dirname "$data")"
  "$ibgate" --dir "$data" init --institution-code "$code" --institution-name "$name" \
    --hash-cost "${IBGATE_HASH_COST:-interactive}" "$@"
}

demo_server_ca_once() {
  local ibgate=$1 data=$2
  if [ ! -f "$data/pki/server-ca.pem" ]; then
    echo "$demo_who: $data has no server CA yet; making one with 'ibgate server-cert'"
    "$ibgate" --dir "$data" server-cert
  fi
}

demo_user_once() {
  local ibgate=$1 data=$2 demo=$3
  [ -f "$demo/credentials.txt" ] && return 0
  local password issued p12_password
  mkdir -p "$demo"
  chmod 700 "$demo"
  password=$(python3 -c 'import secrets; print("Demo-" + secrets.token_urlsafe(9))')
  if ! "$ibgate" --dir "$data" user list | grep -q '^demo01 '; then
    printf '%s\n' "$password" | "$ibgate" --dir "$data" user add demo01 --password-stdin \
      --name "山田 太郎" --company "株式会社さくら商事" --role administrator >/dev/null
  else
    printf '%s\n' "$password" | "$ibgate" --dir "$data" user passwd demo01 --password-stdin >/dev/null
  fi
  issued=$("$ibgate" --dir "$data" cert issue demo01 --out "$demo" --json)
  issued_field() { printf '%s' "$issued" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
  p12_password=$(issued_field p12_password)
  mv "$(issued_field p12)" "$demo/demo01.p12"
  mv "$(issued_field certificate)" "$demo/demo01.pem"
  mv "$(issued_field key)" "$demo/demo01.key"
  (
    umask 077
    cat > "$demo/credentials.txt" <<EOF
user ID          demo01
password         $password
certificate      $(realpath "$demo/demo01.p12")
import password  $p12_password
PEM certificate  $(realpath "$demo/demo01.pem")
PEM key          $(realpath "$demo/demo01.key")
server CA        $(realpath "$data/pki/server-ca.pem")
EOF
  )
}

demo_banner() {
  local data=$1 demo=$2 app_origin=$3 p12_password
  local hint=${4:-"(or use scripts/serve --browser, which prepares a throwaway Chromium profile)."}
  p12_password=$(sed -n 's/^import password *//p' "$demo/credentials.txt")
  echo
  echo "  Page:             $app_origin/"
  echo "  Demo certificate: $(realpath "$demo/demo01.p12") (import password: $p12_password)"
  echo "  Demo login:       $(realpath "$demo/credentials.txt") (user ID, password)"
  echo "  The browser must trust the development server CA $(realpath "$data/pki/server-ca.pem") for both origins"
  echo "  $hint"
  echo
}
