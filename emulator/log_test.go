package emulator

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// The asynchronous log keeps every line, in each goroutine's order, and
// sync makes everything logged so far visible.
func TestLoggerKeepsEveryLineInOrder(t *testing.T) {
	var buf syncBuf
	l := newLogger(&buf, false, false)
	const workers, lines = 8, 2000
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < lines; i++ {
				l.event("message", "w", w, "i", i)
			}
		}()
	}
	wg.Wait()
	l.sync()
	got := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(got) != workers*lines {
		t.Fatalf("%d lines after sync, want %d", len(got), workers*lines)
	}
	next := make([]int, workers)
	for _, line := range got {
		var w, i int
		if _, err := fmt.Sscanf(line[strings.Index(line, "w="):], "w=%d i=%d", &w, &i); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if i != next[w] {
			t.Fatalf("worker %d: line %d after %d", w, i, next[w]-1)
		}
		next[w]++
	}
	l.close()
	l.event("disconnect", "after", "close")
	if !strings.Contains(buf.String(), "after=close") {
		t.Error("a line logged after close was lost")
	}
}
