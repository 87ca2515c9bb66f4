package cli

// modelCommands returns the GPT-J commands (model info/eval/bench, generate).
func modelCommands() []Command { return nil }
