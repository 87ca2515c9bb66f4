package localapi

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"
)

// The official OpenAI Go client, as editor plugins' libraries do, against
// the real server on 127.0.0.1.
func client(e *env) openai.Client {
	return openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e.token), option.WithMaxRetries(0))
}

func TestOpenAIClientChat(t *testing.T) {
	e := start(t, Config{})
	c := client(e)
	ctx := context.Background()

	models, err := c.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, m := range models.Data {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "echo/echo,slow/wait,sidecar-lexical" {
		t.Fatalf("models = %v", ids)
	}

	res, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:       "echo/echo",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("be brief"), openai.UserMessage("hello from a plugin")},
		Temperature: openai.Float(0.2),
		Seed:        openai.Int(7),
		MaxTokens:   openai.Int(100),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Choices[0].Message.Content != "Echo: hello from a plugin" || res.Choices[0].FinishReason != "stop" || res.Usage.CompletionTokens != 5 {
		t.Fatalf("chat = %+v", res)
	}

	// Streaming with usage, accumulated the way clients do.
	stream := c.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:         "echo/echo",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("stream these words please")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	acc := openai.ChatCompletionAccumulator{}
	chunks := 0
	for stream.Next() {
		acc.AddChunk(stream.Current())
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if got := acc.Choices[0].Message.Content; got != "Echo: stream these words please" {
		t.Fatalf("streamed %q", got)
	}
	if chunks < 6 || acc.Usage.CompletionTokens != 5 || acc.Choices[0].FinishReason != "stop" {
		t.Fatalf("chunks %d usage %+v finish %q", chunks, acc.Usage, acc.Choices[0].FinishReason)
	}

	// max_tokens cuts the answer and says so.
	res, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: "echo/echo", MaxTokens: openai.Int(2),
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("one two three four")},
	})
	if err != nil || res.Choices[0].Message.Content != "Echo: one" || res.Choices[0].FinishReason != "length" {
		t.Fatalf("max tokens: %+v %v", res, err)
	}

	// Errors come back as OpenAI errors the client understands.
	_, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "nope/x",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("x")}})
	var apiErr *openai.Error
	if !asErr(err, &apiErr) || apiErr.StatusCode != 404 || !strings.Contains(apiErr.Message, "no such model") {
		t.Fatalf("unknown model err = %v", err)
	}
	bad := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey("wrong"), option.WithMaxRetries(0))
	if _, err := bad.Models.List(ctx); !asErr(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Fatalf("wrong key err = %v", err)
	}
}

func TestOpenAIClientCompletionsAndEmbeddings(t *testing.T) {
	e := start(t, Config{})
	c := client(e)
	ctx := context.Background()
	res, err := c.Completions.New(ctx, openai.CompletionNewParams{
		Model:  openai.CompletionNewParamsModel("echo/echo"),
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("func add(a, b int) int {")},
		Suffix: openai.String("}"),
	})
	if err != nil {
		t.Fatal(err)
	}
	// The echo shows the fill-in-the-middle prompt the model was given.
	if txt := res.Choices[0].Text; !strings.Contains(txt, "Before the gap:") || !strings.Contains(txt, "After the gap:") {
		t.Fatalf("completion = %q", txt)
	}
	st := c.Completions.NewStreaming(ctx, openai.CompletionNewParams{
		Model:  openai.CompletionNewParamsModel("echo/echo"),
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("plain prompt")},
	})
	var sb strings.Builder
	for st.Next() {
		if len(st.Current().Choices) > 0 {
			sb.WriteString(st.Current().Choices[0].Text)
		}
	}
	if st.Err() != nil || sb.String() != "Echo: plain prompt" {
		t.Fatalf("streamed completion %q %v", sb.String(), st.Err())
	}

	one, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "sidecar-lexical",
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("two words")}})
	if err != nil || len(one.Data) != 1 || one.Data[0].Embedding[0] != 9 || one.Data[0].Embedding[1] != 2 {
		t.Fatalf("embedding = %+v %v", one, err)
	}
	many, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "sidecar-lexical",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b c", "d e f"}}})
	if err != nil || len(many.Data) != 3 || many.Data[2].Index != 2 || many.Data[2].Embedding[1] != 3 {
		t.Fatalf("embeddings = %+v %v", many, err)
	}
	_, err = c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "other",
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}})
	var apiErr *openai.Error
	if !asErr(err, &apiErr) || apiErr.StatusCode != 404 {
		t.Fatalf("unknown embedding model: %v", err)
	}
}
