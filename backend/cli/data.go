package cli

// dataCommands returns the data commands (export, import, wipe, rotate-key).
func dataCommands() []Command { return nil }
