package tokenizer

import (
	"cmp"
	"slices"
	"strings"
)

// Token texts that mark special tokens in vocabularies whose files do not
// name them in metadata. Where several are present the first listed wins.
var (
	eotTexts = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
		"<|end_of_text|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>"}
	eomTexts    = []string{"<|eom_id|>"}
	fimPreTexts = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>"}
	fimSufTexts = []string{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>"}
	fimMidTexts = []string{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>"}
	fimPadTexts = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>"}
	fimRepTexts = []string{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}
	fimSepTexts = []string{"<|file_sep|>"}
	// Texts of tokens that end generation whatever the metadata says.
	eogTexts = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
		"<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
		"<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["}
)

// detectSpecial finds the EOT, EOM and FIM tokens a file does not name,
// by their text, marks them and the end-of-generation tokens as control
// tokens, and builds the end-of-generation set.
func (t *Tokenizer) detectSpecial(v Vocab) {
	find := func(dst *Token, texts []string) {
		if *dst != None {
			return
		}
		for _, s := range texts {
			if id := t.lookup(s); id != None {
				*dst = id
				t.attrs[id] |= attrControl
				return
			}
		}
	}
	find(&t.eot, eotTexts)
	find(&t.eom, eomTexts)
	find(&t.fim.Prefix, fimPreTexts)
	find(&t.fim.Suffix, fimSufTexts)
	find(&t.fim.Middle, fimMidTexts)
	find(&t.fim.Pad, fimPadTexts)
	find(&t.fim.Repo, fimRepTexts)
	find(&t.fim.FileSep, fimSepTexts)

	t.eog = map[Token]bool{}
	for _, id := range []Token{t.fim.Pad, t.fim.Repo, t.fim.FileSep, t.eos, t.eot, t.eom} {
		if id != None {
			t.eog[id] = true
		}
	}
	for _, s := range eogTexts {
		if id := t.lookup(s); id != None {
			t.eog[id] = true
			t.attrs[id] |= attrControl
		}
	}
	// gpt-oss and Solar Open: "<|end|>" ends a message, not the
	// generation, when the vocabulary has "<|return|>" and "<|call|>" (or
	// "<|calls|>" and "<|flush|>").
	has := func(s string) bool { id := t.lookup(s); return id != None && t.eog[id] }
	call := has("<|call|>") || has("<|calls|>")
	if end := t.lookup("<|end|>"); end != None && t.eog[end] && call && (has("<|return|>") || has("<|flush|>")) {
		delete(t.eog, end)
		t.attrs[end] = attrUserDefined
	}
	// Gemma 4: "</s>" is an ordinary token beside "<|tool_response>".
	if s := t.lookup("</s>"); s != None && t.eog[s] && has("<|tool_response>") {
		delete(t.eog, s)
		t.attrs[s] = attrNormal
	}
	for id, a := range t.attrs {
		if a&attrControl != 0 && strings.Contains(t.tokens[id], "unused") {
			t.attrs[id] |= attrUnused
		}
	}
}

// buildSpecialCache lists the tokens whose text is matched in the input
// before ordinary tokenization, longest first. Phi-3 vocabularies also
// drop the spaces that follow most of them.
func (t *Tokenizer) buildSpecialCache(modelName string) {
	for id, a := range t.attrs {
		if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.special = append(t.special, Token(id))
		}
	}
	slices.SortStableFunc(t.special, func(a, b Token) int {
		return cmp.Compare(len(t.tokens[b]), len(t.tokens[a]))
	})
	name := strings.ToLower(modelName)
	if strings.Contains(name, "phi-3") || strings.Contains(name, "phi3") {
		for _, id := range t.special {
			t.attrs[id] |= attrRStrip
		}
		for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
			if id := t.lookup(s); id != None {
				t.attrs[id] &^= attrRStrip
			}
		}
		if id := t.lookup("</s>"); id != None {
			t.attrs[id] |= attrRStrip
		}
	}
}

// fragment is a piece of the input: raw text (token == None) or a special
// token found in it.
type fragment struct {
	text  string
	token Token
}

// partition splits text at the special tokens' texts. Without
// parseSpecial only user-defined tokens are matched; control and unknown
// token text stays ordinary text.
func (t *Tokenizer) partition(text string, parseSpecial bool) []fragment {
	if text == "" {
		return nil
	}
	frags := []fragment{{text: text, token: None}}
	for _, id := range t.special {
		a := t.attrs[id]
		if !parseSpecial && a&(attrControl|attrUnknown) != 0 {
			continue
		}
		tok := t.tokens[id]
		if tok == "" || !strings.Contains(text, tok) {
			continue
		}
		var out []fragment
		for _, f := range frags {
			if f.token != None {
				out = append(out, f)
				continue
			}
			out = splitAt(out, f.text, tok, id, a)
		}
		frags = out
	}
	return frags
}

// splitAt appends the pieces of raw text s around each occurrence of tok.
func splitAt(out []fragment, s, tok string, id Token, a attr) []fragment {
	for {
		i := strings.Index(s, tok)
		if i < 0 {
			if s != "" {
				out = append(out, fragment{text: s, token: None})
			}
			return out
		}
		left := s[:i]
		if a&attrLStrip != 0 {
			left = strings.TrimRight(left, cSpace)
		}
		if left != "" {
			out = append(out, fragment{text: left, token: None})
		}
		out = append(out, fragment{token: id})
		s = s[i+len(tok):]
		if a&attrRStrip != 0 {
			s = strings.TrimLeft(s, cSpace)
		}
	}
}

// cSpace is C's isspace set.
const cSpace = " \t\n\v\f\r"
