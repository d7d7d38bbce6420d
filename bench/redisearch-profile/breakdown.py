#!/usr/bin/env python3
# Where a hybrid question's server time and reply bytes go: FT.PROFILE and raw reply size of the harness's first
# question's text and KNN commands at hybrid's depth (200 per list), returning every field (what the index asked
# before) against ids and scores only (what hybrid search asks now), plus the pipelined HMGET of a fused top 5.
# Usage: python3 breakdown.py RUN [PORT] — on an index a `latency --redisearch URL --keep` run left. Debian python3.
import socket, statistics, sys, time

class R:
    def __init__(s, port):
        s.s = socket.create_connection(("127.0.0.1", port)); s.f = s.s.makefile("rb"); s.n = 0
    def send(s, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str): a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        s.s.sendall(b"".join(out))
    def cmd(s, *args):
        s.send(*args); s.n = 0; return s.read()
    def read(s):
        line = s.f.readline(); s.n += len(line); line = line[:-2]; t = line[:1]; rest = line[1:]
        if t == b"+": return rest.decode()
        if t == b"-": return Exception(rest.decode())
        if t == b":": return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0: return None
            d = s.f.read(n + 2); s.n += n + 2; d = d[:-2]
            try: return d.decode()
            except UnicodeDecodeError: return d
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [s.read() for _ in range(n)]
        raise ValueError(line)

run = sys.argv[1]; idx = "bench-" + run; prefix = f"bench-chunk-{run}:"
r = R(int(sys.argv[2]) if len(sys.argv) > 2 else 6391)
q = open(f"/tmp/compliance-bench/bench-{run}.query.txt").read().split()
vec = open(f"/tmp/compliance-bench/bench-{run}.vector.bin", "rb").read()
stop = set("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with what which who whom how when where why do does did can could should would i we you our my me us its any from has have".split())
terms = list(dict.fromkeys(t for t in q if t not in stop))
info = r.cmd("FT.INFO", idx); N = int(info[info.index("num_docs") + 1])
counts = {t: r.cmd("FT.SEARCH", idx, t, "NOCONTENT", "LIMIT", "0", "0", "DIALECT", "2")[0] for t in terms}
rare = [t for t in terms if counts[t] > 0 and counts[t] < 0.1 * N]
frequent = [t for t in terms if 0.1 * N <= counts[t] < 0.5 * N]
flt = "@tenant:{global | 100000000000000003} @status:{active}"
text_query = flt + " (" + " | ".join(rare) + ") " + " ".join("~" + t for t in rare + frequent)
full = ["chunk_id", "document", "version", "tenant", "status", "tags", "title", "text", "section", "page_start", "page_end", "ordinal", "char_start", "char_end", "effective"]
def text(ret): return [text_query, "WITHSCORES", "SCORER", "BM25STD", *ret, "LIMIT", "0", "200", "TIMEOUT", "500", "DIALECT", "2"]
def knn(ret): return [f"({flt})=>[KNN 200 @vec $B HYBRID_POLICY BATCHES BATCH_SIZE 200 AS dist]", "SORTBY", "dist", "ASC", *ret, "LIMIT", "0", "200", "PARAMS", "2", "B", vec, "TIMEOUT", "500", "DIALECT", "2"]
ids_text = ["RETURN", "4", "chunk_id", "document", "title", "text_length"]
cases = {
    "text, 200, every field (before)": text(["RETURN", str(len(full)), *full]),
    "text, 200, id, document, title, text length (now)": text(ids_text),
    "text, 200, NOCONTENT": text(["NOCONTENT"]),
    "KNN 200, every field + dist (before)": knn(["RETURN", str(len(full) + 1), *full, "dist"]),
    "KNN 200, id, document, dist (now)": knn(["RETURN", "3", "chunk_id", "document", "dist"]),
}
print(f"N={N}; terms {len(terms)}: rare {rare}, frequent {frequent}; load average {open('/proc/loadavg').read().split()[:3]}")
print("| command | results | FT.PROFILE total ms | reply bytes | FT.SEARCH wall median of 30 ms |")
print("|---|---:|---:|---:|---:|")
top5 = []
for name, args in cases.items():
    prof = r.cmd("FT.PROFILE", idx, "SEARCH", "QUERY", *args)
    total = next(float(p[1]) for p in prof[1] if isinstance(p, list) and p and p[0] == "Total profile time")
    res = r.cmd("FT.SEARCH", idx, *args); size = r.n
    if not top5: top5 = [res[i] for i in range(1, 16, 3)]
    times = []
    for _ in range(30):
        t = time.perf_counter(); r.cmd("FT.SEARCH", idx, *args); times.append((time.perf_counter() - t) * 1000)
    print(f"| {name} | {res[0]} | {total:.2f} | {size:,} | {statistics.median(times):.2f} |")
# The fused top 5's fields, one pipelined HMGET per key (what hybrid search does after fusion).
keys = [k if k.startswith(prefix) else prefix + k for k in top5]
times = []
for _ in range(30):
    t = time.perf_counter(); r.n = 0
    for k in keys: r.send("HMGET", k, *full)
    for k in keys: r.read()
    times.append((time.perf_counter() - t) * 1000)
print(f"| HMGET of the top 5 (pipelined) | {len(keys)} | - | {r.n:,} | {statistics.median(times):.2f} |")
print(f"load average after {open('/proc/loadavg').read().split()[:3]}")
