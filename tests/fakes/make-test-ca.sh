#!/usr/bin/env bash
# make-test-ca.sh DIR - a throwaway test CA and a server certificate for 127.0.0.1 (SAN IP) signed by it, in DIR:
# ca.pem (trust it where a test says: NODE_EXTRA_CA_CERTS, the broker's authorization.cimd_ca_file), server.pem,
# server.key (0600). EC P-256 keys, valid one day; never installed anywhere. Output of openssl in DIR/openssl.log.
set -euo pipefail
d="$1"
mkdir -p "$d"
cd "$d"
{
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 1 \
        -subj "/CN=ob test CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext
} >openssl.log 2>&1 || {
    cat openssl.log >&2
    exit 1
}
chmod 600 ca.key server.key
