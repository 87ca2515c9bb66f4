package sample

import "testing"

func TestGreedyAndTopKOne(t *testing.T) {
	logits := []float32{0.1, 3, -1, 2.9}
	if got := NewSampler(Sampling{}).Next(append([]float32(nil), logits...), nil); got != 1 {
		t.Fatalf("greedy = %d, want 1", got)
	}
	if got := NewSampler(Sampling{Temperature: 2, TopK: 1, Seed: 3}).Next(append([]float32(nil), logits...), nil); got != 1 {
		t.Fatalf("top-k 1 = %d, want 1", got)
	}
}

func TestRepeatPenaltyMovesGreedy(t *testing.T) {
	logits := []float32{0.1, 3, -1, 2.9}
	if got := NewSampler(Sampling{RepeatPenalty: 1.5}).Next(logits, []int{1}); got != 3 {
		t.Fatalf("with token 1 penalised: %d, want 3", got)
	}
}

func TestSeedAndTopP(t *testing.T) {
	logits := make([]float32, 50)
	for i := range logits {
		logits[i] = float32(i%7) * 0.5
	}
	draw := func(seed int64) []int {
		sp := NewSampler(Sampling{Temperature: 1, TopP: 0.5, Seed: seed})
		var out []int
		for i := 0; i < 40; i++ {
			out = append(out, sp.Next(append([]float32(nil), logits...), nil))
		}
		return out
	}
	a, b, c := draw(1), draw(1), draw(2)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different draws at %d", i)
		}
		same = same && a[i] == c[i]
		if logits[a[i]] < 2.5 { // top-p 0.5 keeps only the tokens of the two highest values
			t.Fatalf("top-p 0.5 drew token %d (logit %g)", a[i], logits[a[i]])
		}
	}
	if same {
		t.Fatal("seeds 1 and 2 drew the same 40 tokens")
	}
}
