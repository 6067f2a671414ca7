# IPv6 text helpers for the e2e polling loops (no python per poll).
#   awk -f ip6.awk -v op=owner RANGES -   each address or prefix on stdin:
#        the instance whose range holds it (RANGES: "na|pd I LO HI", LO and
#        HI as 32 hex digits, from model.py ranges), 0 for none
#   awk -f ip6.awk -v op=net -v len=N -   each address: its N-bit network
function pad4(g) { return substr("0000" g, length(g) + 1) }
function expand(a,    p, head, tail, h, t, hp, tp, i, r) {
	sub(/\/.*/, "", a)
	a = tolower(a)
	p = index(a, "::")
	if (p) {
		head = substr(a, 1, p - 1)
		tail = substr(a, p + 2)
	} else {
		head = a
		tail = ""
	}
	h = head == "" ? 0 : split(head, hp, ":")
	t = tail == "" ? 0 : split(tail, tp, ":")
	r = ""
	for (i = 1; i <= h; i++) r = r pad4(hp[i])
	for (i = 0; i < 8 - h - t; i++) r = r "0000"
	for (i = 1; i <= t; i++) r = r pad4(tp[i])
	return r
}
function hexval(c) { return index("0123456789abcdef", c) - 1 }
function masked(x, n,    full, r, d, keep) { # mawk has no and()
	full = int(n / 4)
	r = substr(x, 1, full)
	if (n % 4) {
		d = hexval(substr(x, full + 1, 1))
		keep = 2 ^ (4 - n % 4)
		r = r substr("0123456789abcdef", d - d % keep + 1, 1)
	}
	while (length(r) < 32) r = r "0"
	return r
}
function compress(x,    g, i, best, bl, cur, cl, out) {
	for (i = 0; i < 8; i++) {
		g[i] = substr(x, i * 4 + 1, 4)
		sub(/^0+/, "", g[i])
		if (g[i] == "") g[i] = "0"
	}
	best = -1; bl = 0; cl = 0
	for (i = 0; i < 8; i++) {
		if (g[i] == "0") {
			if (cl == 0) cur = i
			cl++
			if (cl > bl) { bl = cl; best = cur }
		} else cl = 0
	}
	if (bl < 2) best = -1
	out = ""
	for (i = 0; i < 8; i++) {
		if (i == best) { out = out "::"; i += bl - 1; continue }
		if (out != "" && substr(out, length(out)) != ":") out = out ":"
		out = out g[i]
	}
	return out
}
op == "owner" && FILENAME != "-" { kind[++n] = $1; inst[n] = $2; lo[n] = $3; hi[n] = $4; next }
op == "owner" {
	x = expand($1)
	want = index($1, "/") && $1 !~ /\/128$/ ? "pd" : "na"
	o = 0
	for (i = 1; i <= n; i++)
		if (kind[i] == want && x >= lo[i] && x <= hi[i]) { o = inst[i]; break }
	print o
	next
}
op == "net" { print compress(masked(expand($1), len)) "/" len }
