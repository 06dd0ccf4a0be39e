# The stack's address-hash key (components/shared/addressHash.ts): sets HASH_PADS_SQL to
# "SET @dsr_ipad = UNHEX('...'), @dsr_opad = UNHEX('...');", the HMAC-SHA256 pads of the key in
# $1 (root only, 0600), for SQL that compares keyed hashes. The pads go to the database on stdin
# only, never onto a command line or into a file. Returns 1 with a message on a bad key file.
load_hash_key() {
  local f=$1 key='' i c ipad='' opad=''
  HASH_PADS_SQL=''
  if [[ ! -f $f ]]; then echo "${0##*/}: the address-hash key $f is missing (written by the kit's deployment)" >&2; return 1; fi
  if [[ $(stat -L -c '%u %a' -- "$f") != "$(id -u) 600" ]]; then echo "${0##*/}: $f must be owned by $(id -un) with mode 0600" >&2; return 1; fi
  IFS= read -r key <"$f" || true
  if [[ ! $key =~ ^[A-Za-z0-9]{32,64}$ ]]; then echo "${0##*/}: $f must hold the key: 32 to 64 letters and digits on one line" >&2; return 1; fi
  for ((i = 0; i < 64; i++)); do
    c=0
    if ((i < ${#key})); then printf -v c '%d' "'${key:i:1}"; fi
    printf -v ipad '%s%02x' "$ipad" $((c ^ 0x36))
    printf -v opad '%s%02x' "$opad" $((c ^ 0x5c))
  done
  HASH_PADS_SQL="SET @dsr_ipad = UNHEX('$ipad'), @dsr_opad = UNHEX('$opad');"
}
