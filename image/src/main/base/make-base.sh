#!/usr/bin/env bash
# Makes the daemon image's base on this machine: no public base image can be pulled here, so the
# base is a jlink'ed JDK runtime plus the host's shared libraries it links against, a non-root user
# and /tmp. The result is a folder that Jib adds as the image's first layer.
# Usage: make-base.sh OUTPUT_DIR
set -euo pipefail
out=$1
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
stamp="$out/.stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$java_home" ]; then
  exit 0
fi
rm -rf "$out"
mkdir -p "$out/opt/java" "$out/etc" "$out/tmp" "$out/home/driftless" "$out/data" "$out/proc" "$out/dev"
# jdk.compiler stays in: the builder compiles java functions with a forked javac.
"$java_home/bin/jlink" --add-modules ALL-MODULE-PATH --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$out/opt/java/openjdk"
# The shared libraries the runtime needs, from the host, where the dynamic linker looks for them.
for lib in $(find "$out/opt/java/openjdk" -name '*.so' -o -path '*/bin/*' -type f | xargs ldd 2>/dev/null \
             | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | sort -u); do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
mkdir -p "$out/lib64"
cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib64/"
cat > "$out/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
driftless:x:10001:10001:driftless:/home/driftless:/sbin/nologin
PASSWD
cat > "$out/etc/group" <<GROUP
root:x:0:
driftless:x:10001:
GROUP
cp /etc/nsswitch.conf "$out/etc/" 2>/dev/null || true
mkdir -p "$out/etc/ssl/certs"
cp -L /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/" 2>/dev/null || true
chmod 1777 "$out/tmp"
echo "$java_home" > "$stamp"
