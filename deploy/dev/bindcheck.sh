#!/bin/sh
# Checks that the SDK's mobile facade binds for Android and iOS: gobind
# generates the Go, Java and Objective-C bindings of mobile-sdk/mobile, any
# symbol it skips (a type gobind cannot carry) fails the check, and the
# generated Java compiles with javac against a one-class stub of
# android.content.Context. gomobile bind itself needs the Android SDK/NDK
# and Xcode, which CI does not have; this catches what they would refuse.
set -eu
cd "$(dirname "$0")/../.."
GO=${GO:-go}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# javac comes with a JDK; on a bare Debian machine (as root) install one.
if ! command -v javac >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bindcheck: installing a JDK for javac with apt-get" >&2
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless >/dev/null
	else
		echo "bindcheck: javac not found; install a JDK (e.g. apt-get install default-jdk-headless)" >&2
		exit 1
	fi
fi

$GO tool -modfile=tools.mod gobind -lang=go,java,objc -outdir="$out/bind" ./mobile-sdk/mobile
if grep -rn "skipped" "$out/bind"; then
	echo "bindcheck: gobind skipped the symbols above; use types it supports" >&2
	exit 1
fi
mkdir -p "$out/stub/android/content" "$out/classes"
printf 'package android.content;\n\npublic class Context {}\n' >"$out/stub/android/content/Context.java"
# shellcheck disable=SC2046
javac -Xlint:none -d "$out/classes" "$out/stub/android/content/Context.java" $(find "$out/bind/java" -name '*.java')
echo "bindcheck: gobind java and objc bindings generated, no symbol skipped, Java compiles"
