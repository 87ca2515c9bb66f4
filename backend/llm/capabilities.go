package llm

// Capabilities says what a model can do, for clients that choose
// features by them (Ollama's /api/show, for one).
type Capabilities struct {
	Tools         bool // takes tools and answers with tool calls
	Thinking      bool // can stream its reasoning apart from the answer
	FIM           bool // fills in the middle (a prompt and a suffix)
	Vision        bool // takes images
	ContextLength int  // tokens; 0 if unknown
}

// Capable is implemented by providers that know their models'
// capabilities; it is found by type assertion.
type Capable interface {
	Capabilities(model string) Capabilities
}

// CapabilitiesOf returns what p says of model, or what can be inferred:
// an EventStreamer takes tools, a Windowed provider knows its context.
func CapabilitiesOf(p Provider, model string) Capabilities {
	if c, ok := p.(Capable); ok {
		return c.Capabilities(model)
	}
	var c Capabilities
	_, c.Tools = p.(EventStreamer)
	if w, ok := p.(Windowed); ok {
		c.ContextLength, _ = w.ContextWindow(model)
	}
	return c
}

// EchoContextLength is the context the echo model reports.
const EchoContextLength = 32768

// Capabilities implements Capable: the echo model calls tools, reasons
// and fills in the middle (it echoes the prompt).
func (e *Echo) Capabilities(string) Capabilities {
	return Capabilities{Tools: true, Thinking: true, FIM: true, ContextLength: EchoContextLength}
}
