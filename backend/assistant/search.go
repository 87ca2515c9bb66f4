package assistant

import "context"

// MessageHitView is a message found by SearchMessages. Snippet marks
// matches with \u0002 … \u0003 (see store.MarkStart): escape the text
// first, then turn the markers into highlights.
type MessageHitView struct {
	ChatID    int64  `json:"chatId"`
	ChatTitle string `json:"chatTitle"`
	MessageID int64  `json:"messageId"`
	Role      string `json:"role"`
	Snippet   string `json:"snippet"`
	CreatedAt int64  `json:"createdAt"`
}

// SearchMessages searches the text of every chat.
func (s *Service) SearchMessages(ctx context.Context, query string) ([]MessageHitView, error) {
	hits, err := s.db.SearchMessages(ctx, query, 50)
	if err != nil {
		return nil, err
	}
	out := make([]MessageHitView, len(hits))
	for i, h := range hits {
		out[i] = MessageHitView(h)
	}
	return out, nil
}
