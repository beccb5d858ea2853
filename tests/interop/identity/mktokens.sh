#!/bin/sh
# mktokens.sh - the Identity header of every identity-tier case, signed
# by secsipidx (RFC 8225 PASSporTs, RFC 8588 SHAKEN) with the keys from
# mkstir.sh.
#
#   mktokens.sh STIRDIR OUTDIR BASEURL DOWNURL SLOWURL
#
# BASEURL is the HTTPS certificate server's directory (secsipidx serves
# STIRDIR's certificates as BASEURL/NAME.pem; good-copy.pem is a copy of
# good.pem under another name); DOWNURL a URL where nobody listens;
# SLOWURL a server that answers after 30 s.  For each case NAME writes
# OUTDIR/NAME.hdr (the whole header line for SIPp's -key hdr) and
# OUTDIR/NAME.url (the URL in info=, to check the token against).
# The SIP side of every call: From +12155550121, To +12155550131
# (user=phone), except "vector" whose To is sip:alice@127.0.0.1.
# iat is now (tokens go stale after the verifier's 60 s window: make
# them just before use) unless the case says otherwise.
set -eu
stir=$1 out=$2 base=$3 down=$4 slow=$5
mkdir -p "$out"
now=$(date +%s)
orig=12155550121 dest=12155550131 other=12155550199
uuid=123e4567-e89b-12d3-a456-426655440000

# sign KEY HEADER-JSON PAYLOAD-JSON: the compact JWS (JSON taken as is,
# already canonical: no spaces, keys in order, RFC 8225 section 9).
sign() {
	secsipidx -s -k "$stir/$1-key.pem" -header "$2" -payload "$3" | tr -d '\n'
}

hdr_json() {	# hdr_json X5U [PPT]
	if [ -n "${2:-}" ]; then
		printf '{"alg":"ES256","ppt":"%s","typ":"passport","x5u":"%s"}' "$2" "$1"
	else
		printf '{"alg":"ES256","typ":"passport","x5u":"%s"}' "$1"
	fi
}

shaken() {	# shaken IAT ORIG DEST: a SHAKEN payload, attestation A
	printf '{"attest":"A","dest":{"tn":["%s"]},"iat":%s,"orig":{"tn":"%s"},"origid":"%s"}' \
		"$3" "$1" "$2" "$uuid"
}

emit() {	# emit NAME TOKEN INFO-URL [PARAMS]: writes NAME.hdr and NAME.url
	printf 'Identity: %s;info=<%s>%s\n' "$2" "$3" "${4:-}" > "$out/$1.hdr"
	printf '%s\n' "$3" > "$out/$1.url"
}

# A SHAKEN token for x5u URL, signed with KEY, with payload PAYLOAD.
sh_case() {	# sh_case NAME KEY URL PAYLOAD [INFO]
	emit "$1" "$(sign "$2" "$(hdr_json "$3" shaken)" "$4")" "${5:-$3}" ';alg=ES256;ppt=shaken'
}

good=$base/good.pem

# RFC 8224 4.1.1 / SPECS 6.3 vector 2, made verifiable: a plain PASSporT
# (no ppt), dest a SIP URI, orig a number, from the trusted leaf.
emit vector "$(sign good "$(hdr_json "$good")" \
	"$(printf '{"dest":{"uri":["sip:alice@127.0.0.1"]},"iat":%s,"orig":{"tn":"%s"}}' "$now" "$orig")")" \
	"$good"

sh_case good good "$good" "$(shaken "$now" "$orig" "$dest")"

# Bad signature: the good token with one character of the signature
# changed (a middle one: the last character also carries padding bits).
tok=$(sign good "$(hdr_json "$good" shaken)" "$(shaken "$now" "$orig" "$dest")")
sig=${tok##*.}
pre=${tok%.*}
mid=$(( ${#sig} / 2 ))
c=$(printf '%s' "$sig" | cut -c$((mid + 1)))
if [ "$c" = A ]; then n=B; else n=A; fi
sig=$(printf '%s' "$sig" | cut -c1-$mid)$n$(printf '%s' "$sig" | cut -c$((mid + 2))-)
emit badsig "$pre.$sig" "$good" ';alg=ES256;ppt=shaken'

sh_case stale good "$good" "$(shaken $((now - 600)) "$orig" "$dest")"
sh_case future good "$good" "$(shaken $((now + 600)) "$orig" "$dest")"
sh_case orig good "$good" "$(shaken "$now" "$other" "$dest")"
sh_case dest good "$good" "$(shaken "$now" "$orig" "$other")"
# x5u names good.pem, info names good-copy.pem (the same certificate).
sh_case x5u good "$good" "$(shaken "$now" "$orig" "$dest")" "$base/good-copy.pem"
sh_case untrusted other "$base/other.pem" "$(shaken "$now" "$orig" "$dest")"
sh_case expired expired "$base/expired.pem" "$(shaken "$now" "$orig" "$dest")"
sh_case notn notn "$base/notn.pem" "$(shaken "$now" "$orig" "$dest")"
emit ppt "$(sign good "$(hdr_json "$good" foo)" "$(shaken "$now" "$orig" "$dest")")" \
	"$good" ';alg=ES256;ppt=foo'
sh_case down good "$down" "$(shaken "$now" "$orig" "$dest")"
sh_case slow good "$slow" "$(shaken "$now" "$orig" "$dest")"

# No Identity at all, a P-Asserted-Identity from a host nobody trusts.
printf '%s\n' 'P-Asserted-Identity: <sip:+12155550122@127.0.0.1;user=phone;verstat=TN-Validation-Passed>' \
	> "$out/paiu.hdr"
: > "$out/paiu.url"
