#!/usr/bin/env python3
"""Write the 16-node topology of bench/apply.sh (issue 11, part 6) for the
test hosts of tests/hosts/hosts.sh to standard output.

    bench/gen-cluster.py [--version V]

The addresses, the data directory and the server's bin directory come from
the environment of the hosts' env file (H1_IP .. H16_IP, HOSTS_PGDATA,
HOSTS_PGBIN). Shape (four times the example's, with writers that all meet):

  * 4 writers w1..w4 (hosts 1-4): w<i> owns table t<i>, publishes it as
    p<i>, and subscribes to each other writer's publication directly (a
    star around every writer: each table has one writer and each
    publication only its writer's table, so nothing loops back, on 15 as on
    16+, and no `origin = none` is needed);
  * 8 subscribers s1..s8 (hosts 5-12): s<j> subscribes to two writers,
    w<(j-1) mod 4 + 1> and w<j mod 4 + 1>, like the example's otus11-3;
  * 4 standbys b1..b4 (hosts 13-16): b<k> is a hot standby of s<k>, like
    otus11-4.

Standard library only; the output depends only on the environment.
"""

import argparse
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", type=int, default=15)
    args = ap.parse_args()
    env = os.environ
    try:
        ips = [env["H%d_IP" % i] for i in range(1, 17)]
        pgdata, pgbin = env["HOSTS_PGDATA"], env["HOSTS_PGBIN"]
    except KeyError as e:
        sys.exit("gen-cluster.py: %s is not set (source the hosts' env file of 16 hosts)" % e)
    out = [
        "# bench/gen-cluster.py: 4 writers, 8 subscribers, 4 standbys",
        "cluster bench16;",
        "defaults {",
        "    version  %d;" % args.version,
        "    port     5432;",
        "    database repl;",
        "    user     postgres;",
        "    password env REPLC_TEST_PASSWORD;",
        '    pgdata   "%s";' % pgdata,
        '    bindir   "%s";' % pgbin,
        "}",
    ]
    for i in range(1, 5):
        out.append("table t%d (k%d int primary key, v%d varchar);" % (i, i, i))
    for i in range(1, 5):
        out.append("node w%d {" % i)
        out.append('    host "%s";' % ips[i - 1])
        out.append("    publish p%d (t%d);" % (i, i))
        for o in range(1, 5):
            if o != i:
                out.append("    subscribe w%d_t%d to w%d (p%d);" % (i, o, o, o))
        out.append("}")
    for j in range(1, 9):
        a, b = (j - 1) % 4 + 1, j % 4 + 1
        out.append("node s%d {" % j)
        out.append('    host "%s";' % ips[4 + j - 1])
        out.append("    subscribe s%d_t%d to w%d (p%d);" % (j, a, a, a))
        out.append("    subscribe s%d_t%d to w%d (p%d);" % (j, b, b, b))
        out.append("}")
    for k in range(1, 5):
        out.append('node b%d { host "%s"; standby from s%d; }' % (k, ips[12 + k - 1], k))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
