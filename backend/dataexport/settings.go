package dataexport

// importable lists the settings an import restores, with the values each
// may take: preferences whose worst case is a look. Everything else in an
// archive (provider base URLs, the local API switch, port and allowed
// origins, model paths and downloads, the embedding model, backup folder
// and schedule, chat retention, and any key this build does not know) is
// skipped and reported, so an archive can never redirect the user's API
// keys or prompts, open the local API, or delete anything.
var importable = map[string]func(string) bool{
	"appearance.theme": oneOf("system", "light", "dark"),
}

func oneOf(values ...string) func(string) bool {
	return func(v string) bool {
		for _, w := range values {
			if v == w {
				return true
			}
		}
		return false
	}
}

// Importable reports whether import restores setting key with value v.
func Importable(key, v string) bool {
	ok := importable[key]
	return ok != nil && ok(v) && !secretSetting(key)
}
