# scripts/lib/layering.awk - the engine of scripts/layering.sh (its header says what is checked).
# Input: the source files, one path a line relative to the tree's root (the working directory); -v RULES=<file>.
# POSIX awk only (Debian's default awk is mawk): no gawk extensions.

function trim(s) {
    sub(/^[ \t]+/, "", s)
    sub(/[ \t]+$/, "", s)
    return s
}

# under(path, dir): path is dir, or lies below it
function under(path, dir) {
    return dir == "." || path == dir || substr(path, 1, length(dir) + 1) == dir "/"
}

function dirname(p, i) {
    i = match(p, /\/[^\/]*$/)
    return i ? substr(p, 1, i - 1) : "."
}

# normalise(path): without "." and empty parts, ".." applied; "" when ".." climbs out of the root
function normalise(p, parts, st, n, i, k, out) {
    n = split(p, parts, "/")
    k = 0
    for (i = 1; i <= n; i++) {
        if (parts[i] == "" || parts[i] == ".")
            continue
        if (parts[i] == "..") {
            if (k == 0)
                return ""
            k--
            continue
        }
        st[++k] = parts[i]
    }
    out = ""
    for (i = 1; i <= k; i++)
        out = out (i > 1 ? "/" : "") st[i]
    return out == "" ? "." : out
}

function problem(msg) {
    print msg
    nproblems++
}

# exists(path): a file of the tree, or a folder holding one
function exists(path, i) {
    if (path in isfile)
        return 1
    for (i = 1; i <= nfiles; i++)
        if (under(files[i], path))
            return 1
    return 0
}

# instance(path, pat): the folder of rule pat that holds path, "" when none: pat itself, or for a pattern "P/*" the
# sub-folder of P that holds path (each sub-folder is a folder of its own: its own files, its own circle node)
function instance(path, pat, p, rest, i) {
    if (pat !~ /\/\*$/)
        return under(path, pat) ? pat : ""
    p = substr(pat, 1, length(pat) - 2)
    if (substr(path, 1, length(p) + 1) != p "/")
        return ""
    rest = substr(path, length(p) + 2)
    i = index(rest, "/")
    return i ? p "/" substr(rest, 1, i - 1) : ""
}

# ruleof(path): the folder of the most specific rule that covers path ("" when none does); the rule itself (its
# FOLDER as written) in RULE. A named folder wins over a "P/*" pattern that gives the same folder.
function ruleof(path, i, f, best) {
    best = ""
    RULE = ""
    for (i = 1; i <= nrules; i++) {
        f = instance(path, rname[i])
        if (f == "")
            continue
        if (best == "" || length(f) > length(best) || (length(f) == length(best) && rname[i] !~ /\*$/)) {
            best = f
            RULE = rname[i]
        }
    }
    return best
}

function anything(folder) {
    return (" " entries[folder] " ") ~ / \* /
}

# resolve(from, name, quoted): the file an include names, "" when none of the tree
function resolve(from, name, quoted, p, i) {
    if (quoted) {
        p = normalise(dirname(from) "/" name)
        if (p in isfile)
            return p
    }
    for (i = 1; i <= nsearch; i++) {
        p = normalise(search[i] "/" name)
        if (p in isfile)
            return p
    }
    return ""
}

# allowed(file, folder, rule, target): same directory, the rule's own folder, else the longest matching entry decides
function allowed(file, folder, rule, target, e, n, i, p, neg, best, ok) {
    if (dirname(target) == dirname(file))
        return 1
    best = -1
    ok = 0
    if (under(target, folder)) {
        best = length(folder)
        ok = 1
    }
    n = split(entries[rule], e)
    for (i = 1; i <= n; i++) {
        neg = substr(e[i], 1, 1) == "!"
        p = neg ? substr(e[i], 2) : e[i]
        if (under(target, p) && length(p) >= best) {
            best = length(p)
            ok = !neg
        }
    }
    return ok
}

function add_edge(from, to, example) {
    if ((from SUBSEP to) in edge)
        return
    edge[from, to] = example
    adj[from] = adj[from] " " to
    if (!(from in isnode))
        node[++nnodes] = from
    isnode[from] = 1
}

function dfs(u, depth, vs, n, i, v) {
    color[u] = 1
    onpath[depth] = u
    n = split(adj[u], vs)
    for (i = 1; i <= n; i++) {
        v = vs[i]
        if (color[v] == 1)
            report_circle(v, depth)
        else if (color[v] == 0)
            dfs(v, depth + 1)
    }
    color[u] = 2
}

function report_circle(v, depth, k, j, msg, a, b) {
    for (k = depth; k > 0 && onpath[k] != v; k--)
        ;
    msg = ""
    for (j = k; j <= depth; j++)
        msg = msg onpath[j] " -> "
    problem("include circle between folders: " msg v)
    for (j = k; j <= depth; j++) {
        a = onpath[j]
        b = j < depth ? onpath[j + 1] : v
        print "    " a " -> " b ": " edge[a, b]
    }
}

function read_rules(line, lineno, cont, i, n, w, folder, cur) {
    cur = ""
    while ((getline line < RULES) > 0) {
        lineno++
        cont = line ~ /^[ \t]/
        sub(/#.*/, "", line)
        line = trim(line)
        if (line == "")
            continue
        if (cont && cur != "") {
            entries[cur] = entries[cur] " " line
            continue
        }
        cur = ""
        n = split(line, w)
        if (w[1] == "@search") {
            for (i = 2; i <= n; i++)
                search[++nsearch] = normalise(w[i])
        } else if (w[1] == "@external") {
            for (i = 2; i <= n; i++)
                external[w[i]] = 1
        } else if (line ~ /^[^ \t:]+:/) {
            i = index(line, ":")
            folder = substr(line, 1, i - 1)
            if (folder !~ /\/\*$/)
                folder = normalise(folder)
            if (folder in entries)
                problem(RULESNAME ":" lineno ": a second rule for " folder)
            rname[++nrules] = folder
            entries[folder] = trim(substr(line, i + 1))
            cur = folder
        } else {
            problem(RULESNAME ":" lineno ": not a rule (FOLDER: ENTRIES), @search or @external: " line)
        }
    }
    close(RULES)
}

# check_rules: every folder, entry and search root the rules name exists (a moved folder leaves no stale rule)
function check_rules(i, j, n, e, p) {
    for (i = 1; i <= nsearch; i++)
        if (!exists(search[i]))
            problem(RULESNAME ": @search " search[i] " names no folder of the tree")
    for (i = 1; i <= nrules; i++) {
        p = rname[i]
        sub(/\/\*$/, "", p)
        if (!exists(p))
            problem(RULESNAME ": the rule for " rname[i] " names no folder of the tree")
        n = split(entries[rname[i]], e)
        for (j = 1; j <= n; j++) {
            p = e[j]
            sub(/^!/, "", p)
            if (p != "*" && !exists(normalise(p)))
                problem(RULESNAME ": " e[j] " in the rule for " rname[i] " names no file or folder of the tree")
        }
    }
}

# check_file(f): every include of f against its rule; the folder edges it makes
function check_file(f, folder, rule, line, ln, name, quoted, shown, target, tfolder) {
    folder = ruleof(f)
    rule = RULE
    if (folder == "") {
        problem(f ": no rule of " RULESNAME " covers this file; add one for its folder")
        return
    }
    if (anything(rule))
        return
    ln = 0
    while ((getline line < f) > 0) {
        ln++
        if (line !~ /^[ \t]*#[ \t]*include[ \t]*["<]/)
            continue
        quoted = match(line, /"[^"]+"/)
        if (!quoted && !match(line, /<[^>]+>/))
            continue
        name = substr(line, RSTART + 1, RLENGTH - 2)
        shown = quoted ? "\"" name "\"" : "<" name ">"
        target = resolve(f, name, quoted)
        if (target == "") {
            if (quoted && !(name in external))
                problem(f ":" ln ": #include \"" name "\" names no file of the tree (looked in its folder and the " \
                        "@search roots); a generated header goes under @external in " RULESNAME)
            continue
        }
        nincludes++
        if (!allowed(f, folder, rule, target))
            problem(f ":" ln ": #include " shown " reaches " target ", which the rule \"" rule ": " entries[rule] \
                    "\" of " RULESNAME " does not allow")
        tfolder = ruleof(target)
        if (tfolder != "" && tfolder != folder && !anything(RULE))
            add_edge(folder, tfolder, f ":" ln ": #include " shown)
    }
    close(f)
}

{
    files[++nfiles] = $0
    isfile[$0] = 1
}

END {
    RULESNAME = RULES
    sub(/.*\//, "", RULESNAME)
    read_rules()
    check_rules()
    for (i = 1; i <= nfiles; i++)
        check_file(files[i])
    # the circle search starts at the folders in the order of the rules, then at the "P/*" instances
    for (i = 1; i <= nrules; i++)
        if ((rname[i] in isnode) && color[rname[i]] == 0)
            dfs(rname[i], 1)
    for (i = 1; i <= nnodes; i++)
        if (color[node[i]] == 0)
            dfs(node[i], 1)
    if (nproblems) {
        print "layering: " nproblems " problem(s); the rules and how to read them: " RULESNAME \
              " (docs/conventions.md, Layering)"
        exit 1
    }
    print "layering: ok (" nfiles " files, " nincludes + 0 " includes of the tree checked against " nrules " rules)"
}
