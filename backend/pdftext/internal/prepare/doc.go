// Package prepare holds one test, run on demand by pdftexttest.Prepare:
// it compiles PDFium's WebAssembly module into the cache folder in a test
// binary built without the race detector (whose instrumented compiler
// takes minutes and a gigabyte over the module). Test binaries share one
// cache folder, apart from the one of release builds.
package prepare
