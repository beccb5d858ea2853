#!/bin/sh
# mkcerts.sh - regenerates the test certificates for tests/unit/test_tlsid.c
# with certtool (Debian package gnutls-bin). The outputs are committed, so
# the tests never need certtool; run this only to change or renew them:
#   cd tests/data/tls && sh mkcerts.sh
# Valid certificates last 20 years (2025-2045); expired.pem ended in 2020 and
# notyet.pem starts in 2090, on purpose.
set -eu
cd "$(dirname "$0")"
command -v certtool >/dev/null || { echo "mkcerts.sh: certtool (gnutls-bin) is needed" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Fixed dates rather than "now": a test machine whose clock lags the
# generating one still sees them valid.
valid='activation_date = "2025-01-01 00:00:00"
expiration_date = "2045-01-01 00:00:00"'

key() {
	certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$1" 2>/dev/null
}

# $1 name, $2 template body; signed by the test CA.
leaf() {
	printf '%s\n' "$2" > "$tmp/$1.tmpl"
	certtool --generate-certificate --load-privkey server-key.pem \
		--load-ca-certificate ca.pem --load-ca-privkey ca-key.pem \
		--template "$tmp/$1.tmpl" --outfile "$1.pem" 2>/dev/null
}

key ca-key.pem
key server-key.pem
key selfsigned-key.pem

cat > "$tmp/ca.tmpl" <<T
cn = "siptty test CA"
organization = "siptty tests"
serial = 1
$valid
ca
cert_signing_key
crl_signing_key
T
certtool --generate-self-signed --load-privkey ca-key.pem --template "$tmp/ca.tmpl" \
	--outfile ca.pem 2>/dev/null

srv="signing_key
encryption_key
tls_www_server
$valid"

# SAN URI sip:example.com (the RFC 5922 form); the dNSName names another
# host, so only the URI can make it match example.com.
leaf uri "cn = \"example.com\"
serial = 10
uri = \"sip:example.com\"
dns_name = \"proxy.example.net\"
$srv"
# Only a dNSName; the CN names another host and must be ignored.
leaf dnsonly "cn = \"cn.example.org\"
serial = 11
dns_name = \"example.com\"
$srv"
# No subjectAltName at all: the CN is the identity.
leaf cnonly "cn = \"example.com\"
serial = 12
$srv"
# A wildcard dNSName, never accepted; the CN must not rescue it.
leaf wildcard "cn = \"sip.example.com\"
serial = 13
dns_name = \"*.example.com\"
$srv"
# A SAN URI with a user part is a user identity, not a domain identity.
leaf uriuser "cn = \"example.com\"
serial = 14
uri = \"sip:alice@example.com\"
$srv"
# A SAN URI for another domain, and a dNSName that matches.
leaf urimixed "cn = \"other.example.net\"
serial = 15
uri = \"sip:other.example.net\"
dns_name = \"EXAMPLE.com\"
$srv"
# For another host entirely.
leaf otherhost "cn = \"other.example.net\"
serial = 16
uri = \"sip:other.example.net\"
dns_name = \"other.example.net\"
$srv"
# IP literals: iPAddress entries only.
leaf ip "cn = \"192.0.2.10\"
serial = 17
ip_address = \"192.0.2.10\"
ip_address = \"2001:db8::10\"
dns_name = \"example.com\"
$srv"
# Already expired, otherwise right.
leaf expired "cn = \"example.com\"
serial = 18
uri = \"sip:example.com\"
dns_name = \"example.com\"
activation_date = \"2015-01-01 00:00:00\"
expiration_date = \"2020-01-01 00:00:00\"
signing_key
encryption_key
tls_www_server"
# Not valid before 2090.
leaf notyet "cn = \"example.com\"
serial = 19
uri = \"sip:example.com\"
dns_name = \"example.com\"
activation_date = \"2090-01-01 00:00:00\"
expiration_date = \"2099-01-01 00:00:00\"
signing_key
encryption_key
tls_www_server"
# A client-only certificate: the wrong extendedKeyUsage for a server.
leaf clientonly "cn = \"example.com\"
serial = 20
uri = \"sip:example.com\"
signing_key
tls_www_client
$valid"

# Self-signed for the right name, not issued by the test CA.
cat > "$tmp/self.tmpl" <<T
cn = "example.com"
serial = 30
uri = "sip:example.com"
dns_name = "example.com"
$valid
signing_key
encryption_key
tls_www_server
T
certtool --generate-self-signed --load-privkey selfsigned-key.pem \
	--template "$tmp/self.tmpl" --outfile selfsigned.pem 2>/dev/null

echo "mkcerts.sh: certificates written to $(pwd)"
