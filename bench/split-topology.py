#!/usr/bin/env python3
"""Cut a topology into files small enough for replc (16 MiB each).

    bench/split-topology.py FILE.rc OUTDIR [MAXBYTES]

Cuts before a top-level `node` or `table` line once a part would pass
MAXBYTES (default 8,000,000) and writes OUTDIR/part-NNNN.rc and an
OUTDIR/main.rc that includes them in order, so `replc OUTDIR/main.rc` reads
the same topology. bench/gen-topology.py's output has one statement per
line or a `node` block starting at column 0, which is all this relies on.
"""
import sys, os
src, outdir = sys.argv[1], sys.argv[2]
maxb = int(sys.argv[3]) if len(sys.argv) > 3 else 8000000
os.makedirs(outdir, exist_ok=True)
parts=[]; cur=[]; size=0
def flush():
    global cur,size
    if cur:
        name='part-%04d.rc'%len(parts); parts.append(name)
        open(os.path.join(outdir,name),'w').write(''.join(cur)); cur=[]; size=0
for line in open(src):
    if (line.startswith('node ') or line.startswith('table ')) and size+len(line) > maxb - 4096:
        flush()
    cur.append(line); size+=len(line)
flush()
open(os.path.join(outdir,'main.rc'),'w').write(''.join('include "%s";\n'%p for p in parts))
