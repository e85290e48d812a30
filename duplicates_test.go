package redress

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// The detector on the labelled set (testdata/duplicates.tsv: pairs of one
// customer's complaints in English and Chinese, the same problem sent
// twice or another problem, near misses included): at the policy's
// threshold it flags at least 92% of what it should (recall 0.94 when
// measured) and at least 95% of what it flags is right (precision 0.97).
func TestDuplicateDetectorOnTheLabelledSet(t *testing.T) {
	f, err := os.Open("testdata/duplicates.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	threshold := DefaultPolicy().Duplicates.Threshold
	var truePos, falsePos, falseNeg, pairs int
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "#") {
			continue
		}
		cols := strings.Split(lines.Text(), "\t")
		if len(cols) != 5 || (cols[0] != "dup" && cols[0] != "distinct") {
			t.Fatalf("a malformed line: %q", lines.Text())
		}
		pairs++
		flagged := PossibleDuplicate(cols[3], cols[4], "", []DuplicateCandidate{{ID: "first", Subject: cols[1], Description: cols[2]}}, threshold) != ""
		switch dup := cols[0] == "dup"; {
		case flagged && dup:
			truePos++
		case flagged:
			falsePos++
			t.Logf("flagged, though distinct: %q and %q", cols[1], cols[3])
		case dup:
			falseNeg++
			t.Logf("missed: %q and %q", cols[1], cols[3])
		}
	}
	precision := float64(truePos) / float64(truePos+falsePos)
	recall := float64(truePos) / float64(truePos+falseNeg)
	t.Logf("%d pairs at threshold %.2f: precision %.3f, recall %.3f", pairs, threshold, precision, recall)
	if pairs < 60 || precision < 0.95 || recall < 0.92 {
		t.Errorf("%d pairs: precision %.3f and recall %.3f; want at least 60 pairs, 0.95 and 0.92", pairs, precision, recall)
	}
}

// The order reference decides before the words: the same order is a
// duplicate whatever the text, two different orders never are, and among
// candidates alike enough the most alike wins.
func TestPossibleDuplicateRules(t *testing.T) {
	open := []DuplicateCandidate{
		{ID: "kettle", Subject: "Kettle stopped heating", Description: "The kettle stopped heating after a week."},
		{ID: "order-77", Subject: "Wrong colour", Description: "I ordered blue and got red.", OrderRef: "ORD-77"},
		{ID: "kettle-again", Subject: "Kettle stopped heating", Description: "The kettle stopped heating after a week. The light is on."},
	}
	for _, tt := range []struct {
		name, subject, description, order, want string
	}{
		{"the same order, other words", "Parcel late", "Where is it?", "ord-77", "order-77"},
		{"another order, the same words", "Wrong colour", "I ordered blue and got red.", "ORD-78", ""},
		{"the most alike", "Kettle stopped heating", "The kettle stopped heating after a week. The light is on.", "", "kettle-again"},
		{"nothing alike", "Rude staff", "The staff shouted at me.", "", ""},
		{"empty text", "", "", "", ""},
	} {
		if got := PossibleDuplicate(tt.subject, tt.description, tt.order, open, 0.48); got != tt.want {
			t.Errorf("%s: %q; want %q", tt.name, got, tt.want)
		}
	}
	if s := Similarity("热水壶不加热", "热水壶不加热"); s != 1 {
		t.Errorf("a text is %.2f alike with itself; want 1", s)
	}
}
