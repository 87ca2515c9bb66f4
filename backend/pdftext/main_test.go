package pdftext

import (
	"fmt"
	"os"
	"testing"

	"sidecar/backend/pdftext/pdftexttest"
)

func TestMain(m *testing.M) {
	if err := pdftexttest.Prepare(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
