package docs

import (
	"regexp"
	"strings"
)

// Chunk is a piece of a document that is embedded and searched as a unit.
type Chunk struct {
	Ord       int    `json:"ord"`
	Text      string `json:"text"`
	LineStart int    `json:"lineStart"` // 1-based, inclusive
	LineEnd   int    `json:"lineEnd"`
	Heading   string `json:"heading"` // "Install > Linux", or the enclosing definition in code
	Tokens    int    `json:"tokens"`
}

// ChunkOptions size the chunks.
type ChunkOptions struct {
	MaxTokens int // default 320
	Overlap   int // tokens repeated from the previous chunk; default 40
}

// EstimateTokens approximates a GPT-style BPE token count: about four
// characters of English or code per token.
func EstimateTokens(s string) int {
	if s == "" {
		return 0
	}
	return (len(s) + 3) / 4
}

// block is a unit that should stay whole if it fits: a paragraph, a fenced
// code block, a function.
type block struct {
	start, end int // 0-based line indexes, inclusive
	heading    string
}

var (
	mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	codeDef   = regexp.MustCompile(`^(?:export\s+|public\s+|private\s+|protected\s+|pub(?:\([a-z]+\))?\s+|static\s+|async\s+|abstract\s+|final\s+)*(?:func|def|class|type|fn|impl|struct|enum|trait|interface|function|module|object|const|var|let|package|@[A-Za-z])\b`)
)

// ChunkText cuts ex into chunks following its structure.
func ChunkText(ex Extracted, o ChunkOptions) []Chunk {
	if o.MaxTokens <= 0 {
		o.MaxTokens = 320
	}
	if o.Overlap < 0 || o.Overlap >= o.MaxTokens/2 {
		o.Overlap = o.MaxTokens / 8
	} else if o.Overlap == 0 {
		o.Overlap = 40
	}
	lines := strings.Split(ex.Text, "\n")
	var blocks []block
	switch ex.Kind {
	case KindCode:
		blocks = codeBlocks(lines)
	default:
		blocks = proseBlocks(lines)
	}
	return pack(lines, blocks, o)
}

// proseBlocks splits Markdown-like text into paragraphs and fenced code
// blocks, tracking the heading path.
func proseBlocks(lines []string) []block {
	var out []block
	var path []string // heading text by level-1
	cur := -1
	inFence := ""
	flush := func(i int) {
		if cur >= 0 {
			out = append(out, block{start: cur, end: i - 1, heading: strings.Join(nonEmpty(path), " > ")})
			cur = -1
		}
	}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if inFence != "" {
			if strings.HasPrefix(t, inFence) {
				inFence = ""
				flush(i + 1)
			}
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			flush(i)
			inFence = t[:3]
			cur = i
			continue
		}
		if m := mdHeading.FindStringSubmatch(l); m != nil {
			flush(i)
			level := len(m[1])
			for len(path) < level {
				path = append(path, "")
			}
			path = path[:level]
			path[level-1] = m[2]
			cur = i // the heading starts the next paragraph
			continue
		}
		if t == "" {
			flush(i)
			continue
		}
		if cur < 0 {
			cur = i
		}
	}
	flush(len(lines))
	return out
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// codeBlocks splits source code at top-level definitions (a line that is
// not indented and starts with a definition keyword); comments and blank
// lines just above a definition go with it.
func codeBlocks(lines []string) []block {
	var out []block
	start, heading := 0, ""
	for i, l := range lines {
		if i == 0 || l == "" || l[0] == ' ' || l[0] == '\t' || !codeDef.MatchString(l) {
			continue
		}
		// Pull preceding comment lines into the definition's block.
		s := i
		for s > start && isComment(lines[s-1]) {
			s--
		}
		if s > start {
			out = append(out, block{start: start, end: s - 1, heading: heading})
			start = s
		}
		heading = signature(l)
	}
	if start < len(lines) {
		out = append(out, block{start: start, end: len(lines) - 1, heading: heading})
	}
	// The first block gets its heading from its own first definition.
	if len(out) > 0 && out[0].heading == "" {
		for _, l := range lines[out[0].start : out[0].end+1] {
			if l != "" && l[0] != ' ' && l[0] != '\t' && codeDef.MatchString(l) {
				out[0].heading = signature(l)
				break
			}
		}
	}
	return out
}

func isComment(l string) bool {
	t := strings.TrimSpace(l)
	return strings.HasPrefix(t, "//") || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "/*") || strings.HasPrefix(t, "*") || strings.HasPrefix(t, "--") || strings.HasPrefix(t, `"""`)
}

func signature(l string) string {
	s := strings.TrimSpace(l)
	s = strings.TrimRight(s, "{:")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strings.TrimSpace(s)
}

// pack groups blocks into chunks of at most o.MaxTokens, splitting blocks
// that are too big by lines, and repeating up to o.Overlap tokens of the
// previous chunk's last lines at the start of the next.
func pack(lines []string, blocks []block, o ChunkOptions) []Chunk {
	var out []Chunk
	var cur []int // line indexes in the chunk being built
	curTok := 0
	heading := ""
	// hasNew reports whether cur holds a line the last chunk did not.
	hasNew := func() bool {
		return len(cur) > 0 && (len(out) == 0 || cur[len(cur)-1]+1 > out[len(out)-1].LineEnd)
	}
	emit := func() {
		if !hasNew() {
			return
		}
		var b strings.Builder
		for k, i := range cur {
			if k > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(lines[i])
		}
		if text := strings.TrimSpace(b.String()); text != "" {
			out = append(out, Chunk{Ord: len(out), Text: text, LineStart: cur[0] + 1, LineEnd: cur[len(cur)-1] + 1, Heading: heading, Tokens: EstimateTokens(text)})
		}
		// Overlap: the last lines are repeated at the start of the next chunk.
		keep, tok := 0, 0
		for k := len(cur) - 1; k > 0 && tok+EstimateTokens(lines[cur[k]])+1 <= o.Overlap; k-- {
			tok += EstimateTokens(lines[cur[k]]) + 1
			keep++
		}
		cur = append([]int(nil), cur[len(cur)-keep:]...)
		curTok = tok
	}
	for _, bl := range blocks {
		size := 0
		for i := bl.start; i <= bl.end; i++ {
			size += EstimateTokens(lines[i]) + 1
		}
		// A new section (heading or definition) starts a new chunk, so a
		// hit's heading is always the right one; a block is kept whole
		// when it fits.
		if hasNew() && (curTok+size > o.MaxTokens || bl.heading != heading) {
			emit()
			if bl.heading != heading {
				cur, curTok = nil, 0 // no overlap across sections
			}
		}
		if !hasNew() {
			heading = bl.heading
		}
		for i := bl.start; i <= bl.end; i++ {
			t := EstimateTokens(lines[i]) + 1
			if t > o.MaxTokens {
				// One enormous line (minified code, a table): cut it.
				emit()
				cur, curTok = nil, 0
				for long := lines[i]; len(long) > 0; {
					n := min(len(long), o.MaxTokens*4)
					out = append(out, Chunk{Ord: len(out), Text: long[:n], LineStart: i + 1, LineEnd: i + 1, Heading: bl.heading, Tokens: EstimateTokens(long[:n])})
					long = long[n:]
				}
				continue
			}
			if hasNew() && curTok+t > o.MaxTokens {
				emit()
				heading = bl.heading
			}
			cur = append(cur, i)
			curTok += t
		}
	}
	emit()
	return out
}
