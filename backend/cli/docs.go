package cli

// docsCommands returns the document commands (docs add/list/rm/search).
func docsCommands() []Command { return nil }
