package pdftext

import (
	"errors"
	"fmt"
	"strings"

	"github.com/klippa-app/go-pdfium"
	pdferrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// read opens data in inst and collects the text of its pages.
func read(inst pdfium.Pdfium, data []byte, o Options) (Result, error) {
	var r Result
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	if err != nil {
		if errors.Is(err, pdferrors.ErrPassword) {
			return r, ErrPassword
		}
		return r, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return r, fmt.Errorf("%w: page count: %v", ErrDamaged, err)
	}
	r.Pages = count.PageCount
	var b strings.Builder
	for i := 0; i < r.Pages && i < o.MaxPages; i++ {
		text, err := pageText(inst, doc.Document, i)
		if err != nil {
			return r, fmt.Errorf("%w: page %d: %v", ErrDamaged, i+1, err)
		}
		r.Read++
		b.WriteString(text)
		b.WriteString("\n\n")
		if o.MaxText > 0 && b.Len() > o.MaxText {
			break
		}
	}
	r.Text = b.String()
	return r, nil
}

// pageText is one page's text with "\n" line ends.
func pageText(inst pdfium.Pdfium, doc references.FPDF_DOCUMENT, i int) (string, error) {
	page, err := inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc, Index: i})
	if err != nil {
		return "", err
	}
	defer inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: page.Page})
	tp, err := inst.FPDFText_LoadPage(&requests.FPDFText_LoadPage{Page: requests.Page{ByReference: &page.Page}})
	if err != nil {
		return "", err
	}
	defer inst.FPDFText_ClosePage(&requests.FPDFText_ClosePage{TextPage: tp.TextPage})
	n, err := inst.FPDFText_CountChars(&requests.FPDFText_CountChars{TextPage: tp.TextPage})
	if err != nil || n.Count <= 0 {
		return "", err
	}
	t, err := inst.FPDFText_GetText(&requests.FPDFText_GetText{TextPage: tp.TextPage, StartIndex: 0, Count: n.Count})
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(strings.ReplaceAll(t.Text, "\r\n", "\n"), "\r", "\n"), nil
}
