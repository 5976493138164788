#!/usr/bin/env bash
# Regenerates the gateway's spoken prompts (PIN entry) with eSpeak NG, as 16 kHz 16-bit mono WAV files under
# gateway/src/main/resources/prompts/. The files are committed, so neither builds nor gateways need a speech
# synthesiser; run this after changing a prompt's words. Needs espeak-ng and sox (apt-get install espeak-ng sox).
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/gateway/src/main/resources/prompts"
mkdir -p "$out"
for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "generate-prompts.sh: $tool is not installed (apt-get install espeak-ng sox)" >&2; exit 1; }
done

prompt() {
  local name=$1 words=$2 raw
  raw=$(mktemp --suffix=.wav)
  espeak-ng -v en-us -s 150 -w "$raw" "$words"
  # 16 kHz serves G.722 as it is and G.711 after the gateway halves it; -3 dB leaves headroom for the codecs.
  sox "$raw" -r 16000 -c 1 -b 16 -e signed-integer "$out/$name.wav" gain -n -3
  rm -f "$raw"
  echo "prompts/$name.wav: $words"
}

prompt enter-pin "Please enter the PIN for this call, then press the pound key."
prompt pin-retry "That PIN is not correct. Please enter the PIN again, then press the pound key."
prompt pin-rejected "That PIN is not correct. Goodbye."
prompt pin-timeout "No PIN was entered. Goodbye."
