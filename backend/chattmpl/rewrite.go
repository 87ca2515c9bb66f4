package chattmpl

import "strings"

// rewriteToJSON turns every "OPERAND | tojson" or "OPERAND | tojson(ARGS)"
// in one tag into "sidecar_tojson(OPERAND)" / "sidecar_tojson(OPERAND, ARGS)".
// An occurrence whose operand it cannot delimit is left to the engine.
func rewriteToJSON(tag string) string {
	from := 0
	for {
		pipe, word := findToJSON(tag, from)
		if pipe < 0 {
			return tag
		}
		start := operandStart(tag, pipe)
		end := word + len("tojson")
		args := ""
		if k := skipSpace(tag, end); k < len(tag) && tag[k] == '(' {
			closeAt := matchForward(tag, k)
			if closeAt < 0 {
				return tag
			}
			args, end = strings.TrimSpace(tag[k+1:closeAt]), closeAt+1
		}
		if start < 0 {
			from = end
			continue
		}
		call := toJSONName + "(" + strings.TrimSpace(tag[start:pipe])
		if args != "" {
			call += ", " + args
		}
		call += ")"
		tag = tag[:start] + call + tag[end:]
		from = start + len(call)
	}
}

// findToJSON finds the next "| tojson" outside string literals, returning
// the index of the pipe and of the word.
func findToJSON(s string, from int) (int, int) {
	for i := from; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			i = skipString(s, i)
		case '|':
			k := skipSpace(s, i+1)
			if strings.HasPrefix(s[k:], "tojson") && !isIdent(at(s, k+len("tojson"))) && at(s, i-1) != '|' {
				return i, k
			}
		}
	}
	return -1, -1
}

// operandStart walks back from a filter's pipe over a chain of postfix
// expressions joined by pipes; -1 when there is none.
func operandStart(s string, pipe int) int {
	j, start := pipe, -1
	for {
		j = skipSpaceBack(s, j)
		k := j
		for k > 0 {
			c := s[k-1]
			switch {
			case isIdent(c) || c == '.':
				k--
				continue
			case c == ')' || c == ']':
				if k = matchBack(s, k-1); k < 0 {
					return -1
				}
				continue
			case c == '\'' || c == '"':
				if k = strings.LastIndexByte(s[:k-1], c); k < 0 {
					return -1
				}
				continue
			}
			break
		}
		if k == j {
			return start
		}
		start = k
		m := skipSpaceBack(s, k)
		if m > 0 && s[m-1] == '|' && at(s, m-2) != '|' {
			j = m - 1
			continue
		}
		return start
	}
}

// matchForward returns the index of the bracket closing the one at open.
func matchForward(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'', '"':
			i = skipString(s, i)
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// matchBack returns the index of the bracket opening the one at closeAt.
func matchBack(s string, closeAt int) int {
	depth := 0
	for i := closeAt; i >= 0; i-- {
		switch s[i] {
		case '\'', '"':
			if i = strings.LastIndexByte(s[:i], s[i]); i < 0 {
				return -1
			}
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// skipString returns the index of the quote closing the literal at i.
func skipString(s string, i int) int {
	q := s[i]
	for i++; i < len(s) && s[i] != q; i++ {
		if s[i] == '\\' {
			i++
		}
	}
	return i
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func skipSpaceBack(s string, i int) int {
	for i > 0 && isSpace(s[i-1]) {
		i--
	}
	return i
}

func at(s string, i int) byte {
	if i < 0 || i >= len(s) {
		return 0
	}
	return s[i]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
