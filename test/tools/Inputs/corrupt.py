"""Writes broken copies of a package: truncated, with a corrupt header, for
another architecture, and not a package at all."""

import sys

package, out = sys.argv[1], sys.argv[2]
data = open(package, "rb").read()

# Cut inside the data region (the weights and the code).
open(f"{out}/truncated.pith", "wb").write(data[: len(data) // 2])
# Cut inside the FlatBuffer header.
open(f"{out}/short.pith", "wb").write(data[:40])
# Scramble the FlatBuffer's root table offset.
header = bytearray(data)
header[4:8] = (0x7FFFFFF0).to_bytes(4, "little")
open(f"{out}/corrupt.pith", "wb").write(bytes(header))
# The same code, labelled for another architecture (the triple's first
# component, same length).
assert b"x86_64-" in data
open(f"{out}/mips.pith", "wb").write(data.replace(b"x86_64-", b"mips64-", 1))
open(f"{out}/text.pith", "wb").write(b"hello, this is not a package\n")
