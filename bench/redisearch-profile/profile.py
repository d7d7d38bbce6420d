#!/usr/bin/env python3
# FT.PROFILE of the latency harness's exact text and KNN commands, before and after the changes of issue 12, on an
# index a `latency --redisearch URL --keep` run left: python3 profile.py RUN [PORT] [FREQUENT_SHARE]. Debian's python3 only; RESP2 by hand.
import sys, time, statistics
# Minimal RESP2 client for FT.PROFILE of the harness's exact commands (vector as a binary argument).
import socket, sys, time
class R:
    def __init__(s, port=6390):
        s.s = socket.create_connection(("127.0.0.1", port)); s.f = s.s.makefile("rb")
    def cmd(s, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str): a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        s.s.sendall(b"".join(out)); return s.read()
    def read(s):
        line = s.f.readline()[:-2]; t = line[:1]; rest = line[1:]
        if t == b"+": return rest.decode()
        if t == b"-": return Exception(rest.decode())
        if t == b":": return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0: return None
            d = s.f.read(n + 2)[:-2]
            try: return d.decode()
            except: return d
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [s.read() for _ in range(n)]
        raise ValueError(line)


run = sys.argv[1]
idx = "bench-" + run
q = open(f"/tmp/compliance-bench/bench-{run}.query.txt").read().split()
vec = open(f"/tmp/compliance-bench/bench-{run}.vector.bin", "rb").read()
r = R(int(sys.argv[2]) if len(sys.argv) > 2 else 6390)
stop = set("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with what which who whom how when where why do does did can could should would i we you our my me us its any from has have".split())
terms = []
for t in q:
    if t not in stop and t not in terms: terms.append(t)
flt = "@tenant:{global | 100000000000000003} @status:{active}"
ret = ["RETURN", "15", "chunk_id", "document", "version", "tenant", "status", "tags", "title", "text", "section", "page_start", "page_end", "ordinal", "char_start", "char_end", "effective"]
def clause(ts): return "(" + " | ".join(ts) + ") " + " ".join("~" + t for t in ts)
info = r.cmd("FT.INFO", idx); N = int(info[info.index("num_docs") + 1])
counts = {t: r.cmd("FT.SEARCH", idx, t, "NOCONTENT", "LIMIT", "0", "0", "DIALECT", "2")[0] for t in terms}
rare = [t for t in terms if counts[t] > 0 and 2 * counts[t] < N]
share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.1  # RediSearchIndexOptions.FrequentTermShare
rarest = [t for t in rare if counts[t] < share * N]; frequent = [t for t in rare if t not in rarest]
print(f"N={N}; {len(terms)} terms; counts:", {t: counts[t] for t in terms}); print("rarer:", rare, f"rare (under {share:.0%}):", rarest, "frequent:", frequent)
text_old = [flt + " " + clause(terms), "WITHSCORES", "SCORER", "BM25STD", *ret, "LIMIT", "0", "50", "DIALECT", "2"]
text_new = [flt + " " + clause(rare), "WITHSCORES", "SCORER", "BM25STD", *ret, "LIMIT", "0", "50", "DIALECT", "2"]
# TextQueryPlan's first query: the rare terms OR-ed, the frequent ones optional only (scoring what the rare ones find)
text_plan = [flt + " " + clause(rarest) + "".join(" ~" + t for t in frequent), *text_new[1:]]
limit200 = lambda a: [x if x != "50" else "200" for x in a]  # hybrid search asks each list for 200 candidates
retk = ["RETURN", "16", *ret[2:], "dist"]
knn = lambda pol: [f"({flt})=>[KNN 50 @vec $B{pol} AS dist]", "SORTBY", "dist", "ASC", *retk, "LIMIT", "0", "50", "PARAMS", "2", "B", vec, "DIALECT", "2"]
cases = {"text: OR of every term + ~optional (before)": text_old, "text: OR of the rarer terms + their ~optional (after)": text_new,
         "text: OR of the rarer terms, no ~optional (not used)": [flt + " (" + " | ".join(rare) + ")", *text_new[1:]],
         f"text: OR of the terms under {share:.0%}, frequent ones ~optional only (TextQueryPlan)": text_plan,
         "text, LIMIT 200: OR of the rarer terms + their ~optional": limit200(text_new),
         f"text, LIMIT 200: OR of the terms under {share:.0%}, frequent ones ~optional only": limit200(text_plan),
         f"text, LIMIT 200, NOCONTENT: OR of the terms under {share:.0%}, frequent ones ~optional only": [x for x in limit200(text_plan) if x not in ret] + ["NOCONTENT"],
         "KNN: planner's choice (before)": knn(""), "KNN: HYBRID_POLICY BATCHES BATCH_SIZE 100 (after)": knn(" HYBRID_POLICY BATCHES BATCH_SIZE 100"),
         "KNN: HYBRID_POLICY ADHOC_BF": knn(" HYBRID_POLICY ADHOC_BF"),
         "KNN 200: HYBRID_POLICY BATCHES BATCH_SIZE 200": [x.replace("KNN 50", "KNN 200").replace("BATCH_SIZE 100", "BATCH_SIZE 200") if isinstance(x, str) else x for x in limit200(knn(" HYBRID_POLICY BATCHES BATCH_SIZE 100"))]}
def walk(node, depth=0):
    if isinstance(node, list):
        if all(not isinstance(x, list) for x in node) and len(node) % 2 == 0:
            print("   " + "  " * depth + " ".join(str(x) for x in node))
        else:
            for x in node: walk(x, depth + 1)
for name, args in cases.items():
    res = r.cmd("FT.PROFILE", idx, "SEARCH", "QUERY", *args)
    if isinstance(res, Exception): print(name, res); continue
    prof = res[1]
    print(f"== {name}: {res[0][0]} results")
    walk(prof)
    # wall time of the plain command, median of 20, from this client
    times = []
    for _ in range(20):
        t = time.perf_counter(); r.cmd("FT.SEARCH", idx, *args); times.append((time.perf_counter() - t) * 1000)
    print(f"   FT.SEARCH wall: median {statistics.median(times):.1f} ms over 20")
# agreement of KNN batches with the exact ad-hoc scan for this vector
def ids(res): return [res[i] for i in range(1, len(res), 2)]
def knnids(pol):
    res = r.cmd("FT.SEARCH", idx, f"({flt})=>[KNN 50 @vec $B{pol} AS dist]", "SORTBY", "dist", "ASC", "RETURN", "1", "dist", "LIMIT", "0", "50", "PARAMS", "2", "B", vec, "DIALECT", "2")
    return ids(res)
b = knnids(" HYBRID_POLICY BATCHES BATCH_SIZE 100"); e = knnids(" HYBRID_POLICY ADHOC_BF")
print("batches vs exact overlap @50:", len(set(b) & set(e)), "of", len(e))
