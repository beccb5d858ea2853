#!/bin/sh
# mkstir.sh - throwaway STIR certificates (RFC 8226) for the identity tier.
#
#   mkstir.sh DIR
#
# Writes into DIR (ECDSA P-256 everywhere, as SHAKEN wants):
#   stir-ca.pem            the trust anchor (siptty's [identity] trust_anchors)
#   other-ca.pem           a CA nobody trusts
#   good.pem    good-key.pem     leaf from stir-ca, TNAuthList range
#                                12155550100 + 100 (covers 12155550121)
#   expired.pem expired-key.pem  same TNAuthList, valid 2020-01-01..2021-01-01
#   other.pem   other-key.pem    same TNAuthList, issued by other-ca
#   notn.pem    notn-key.pem     from stir-ca, TNAuthList one 12155550999 only
# Every leaf has the TNAuthList extension (1.3.6.1.5.5.7.1.26) and
# digitalSignature key usage.  Needs certtool (gnutls-bin) and python3.
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
cd "$dir"

key() {
	certtool --generate-privkey --no-text --key-type=ecdsa --curve=secp256r1 \
		--outfile "$1" 2>/dev/null
	chmod 600 "$1"
}

ca() {	# ca NAME CN SERIAL
	key "$1-key.pem"
	cat > "$1.tmpl" <<-EOF
	cn = "$2"
	organization = "siptty STIR tests"
	serial = $3
	expiration_days = 30
	ca
	cert_signing_key
	crl_signing_key
	EOF
	certtool --generate-self-signed --load-privkey "$1-key.pem" \
		--template "$1.tmpl" --outfile "$1.pem" 2>/dev/null
}

leaf() {	# leaf NAME CA CN SERIAL TNAUTH-HEX [DATES-LINES]
	key "$1-key.pem"
	cat > "$1.tmpl" <<-EOF
	cn = "$3"
	organization = "siptty STIR tests"
	serial = $4
	signing_key
	add_extension = "1.3.6.1.5.5.7.1.26 0x$5"
	EOF
	printf '%s\n' "${6:-expiration_days = 30}" >> "$1.tmpl"
	certtool --generate-certificate --load-privkey "$1-key.pem" \
		--load-ca-certificate "$2.pem" --load-ca-privkey "$2-key.pem" \
		--template "$1.tmpl" --outfile "$1.pem" 2>/dev/null
}

covers=$(python3 "$here/tnauth.py" range 12155550100 100)
elsewhere=$(python3 "$here/tnauth.py" one 12155550999)

ca stir-ca "siptty STIR test CA" 1
ca other-ca "untrusted STIR CA" 1
leaf good stir-ca "SHAKEN good signer" 10 "$covers"
leaf expired stir-ca "SHAKEN expired signer" 11 "$covers" \
	"$(printf 'activation_date = "2020-01-01 00:00:00"\nexpiration_date = "2021-01-01 00:00:00"')"
leaf other other-ca "SHAKEN signer from an untrusted CA" 12 "$covers"
leaf notn stir-ca "SHAKEN signer for another number" 13 "$elsewhere"
