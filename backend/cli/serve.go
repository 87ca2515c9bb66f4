package cli

// serveCommands returns the headless loopback API (serve).
func serveCommands() []Command { return nil }
