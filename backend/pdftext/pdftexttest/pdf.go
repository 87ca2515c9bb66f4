// Package pdftexttest builds PDF files for tests, the plain ones and the
// hostile ones, and prepares PDFium's compiled module before tests run.
package pdftexttest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"

	"sidecar/backend/bombtest"
)

// Build writes a PDF whose objects are objs (object i+1 is objs[i]; the
// first is the catalog) with a correct cross-reference table.
func Build(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// Stream is a stream object holding data, with a dictionary's extra
// entries.
func Stream(dict string, data []byte) string {
	return fmt.Sprintf("<< /Length %d %s >>\nstream\n%s\nendstream", len(data), dict, data)
}

// Text is a PDF of pages, each showing its lines in Helvetica.
func Text(pages ...[]string) []byte {
	kids := ""
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
	for _, lines := range pages {
		var content bytes.Buffer
		content.WriteString("BT /F1 12 Tf 72 720 Td 14 TL\n")
		for _, l := range lines {
			fmt.Fprintf(&content, "(%s) Tj T*\n", l)
		}
		content.WriteString("ET")
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", len(objs)+2),
			Stream("", content.Bytes()))
		kids += fmt.Sprintf("%d 0 R ", len(objs)-1)
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages))
	return Build(objs...)
}

// Deflated compresses what r yields with zlib (a FlateDecode stream's
// encoding), times times over.
func Deflated(r io.Reader, times int) []byte {
	var out bytes.Buffer
	for i := 0; i < times; i++ {
		out.Reset()
		zw, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
		io.Copy(zw, r)
		zw.Close()
		r = bytes.NewReader(append([]byte(nil), out.Bytes()...))
	}
	return out.Bytes()
}

// FlateBomb is a one-page PDF whose content stream, deflated twice, is a
// few kilobytes on disk and inflates to about size bytes of spaces.
func FlateBomb(size int64) []byte {
	n := 1 + (size-1)/258*258
	data := Deflated(bytes.NewReader(bombtest.Zlib(' ', n)), 1)
	return Build("<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		Stream("/Filter [/FlateDecode /FlateDecode]", data))
}

// PageTreeBomb is a PDF whose page tree has levels levels, each node
// naming the node below fan times: fan^levels pages from a few hundred
// bytes.
func PageTreeBomb(fan, levels int) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>"}
	for l := 0; l < levels; l++ {
		kid := fmt.Sprintf("%d 0 R ", len(objs)+2)
		count := 1
		for i := l; i < levels; i++ {
			count *= fan
		}
		objs = append(objs, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", bytes.Repeat([]byte(kid), fan), count))
	}
	objs = append(objs, "<< /Type /Page /MediaBox [0 0 612 792] /Contents 1 0 R >>")
	return Build(objs...)
}
