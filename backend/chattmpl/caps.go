package chattmpl

import (
	"context"
	"encoding/json"
	"strings"
)

// probeTool is a tool whose name cannot occur in a template by chance.
const probeTool = "sidecar_capability_probe"

// probeSteps bounds the probe render: real templates take a few hundred
// steps for it, and a template that spins does not delay Parse by the
// seconds a full budget allows.
const probeSteps = 1 << 16

// detect finds what a template supports by rendering with a probe tool
// (a template that ignores its tools does not print the name) and by the
// reasoning markers it writes or reads.
func (t *Template) detect() Capabilities {
	tool := json.RawMessage(`{"type":"function","function":{"name":"` + probeTool +
		`","description":"probe","parameters":{"type":"object","properties":{}}}}`)
	in := Input{
		Messages: []Message{{Role: "user", Content: "hi"}},
		Tools:    []json.RawMessage{tool}, AddGenerationPrompt: true,
	}
	b := newBudget(context.Background(), inputBytes(in), 2)
	b.maxSteps = probeSteps
	out, err := t.render(b, in)
	var c Capabilities
	c.Tools = err == nil && strings.Contains(out, probeTool)
	for _, marker := range []string{"<think>", "enable_thinking", "reasoning_content", "<|channel|>analysis", "[THINK]"} {
		if strings.Contains(t.src, marker) {
			c.Thinking = true
		}
	}
	return c
}

// fallbackSource is ChatML, the layout most instruction-tuned models
// without a template of their own were trained with.
const fallbackSource = `{%- for message in messages -%}
{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}`

// Fallback returns the template used when a model has none (ChatML). It
// does not show tools to the model.
func Fallback() *Template {
	t, err := Parse(fallbackSource)
	if err != nil {
		panic("chattmpl: fallback template: " + err.Error())
	}
	return t
}
