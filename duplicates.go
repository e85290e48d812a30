package redress

import (
	"strings"
	"time"
	"unicode"
)

// DuplicatePolicy says when a new complaint is flagged as a possible
// duplicate of one its customer already has open.
type DuplicatePolicy struct {
	// Within is how far back the customer's open complaints are compared;
	// 0 flags none.
	Within Duration `yaml:"within" json:"within"`
	// Threshold is the text similarity (0 to 1) from which two complaints
	// are alike; measured on testdata/duplicates.tsv.
	Threshold float64 `yaml:"threshold" json:"threshold"`
}

// DuplicateCandidate is an open complaint of the same customer that a new
// one is compared with.
type DuplicateCandidate struct {
	ID, Subject, Description, OrderRef string
	CreatedAt                          time.Time
}

// PossibleDuplicate is the candidate the new complaint most likely repeats,
// "" when none: one with the same order reference, else the one whose text
// is the most alike at or above the threshold. Two complaints about two
// different orders are never alike, whatever their words.
func PossibleDuplicate(subject, description, orderRef string, candidates []DuplicateCandidate, threshold float64) string {
	text := grams(subject + " " + description)
	best, bestScore := "", 0.0
	for _, c := range candidates {
		switch {
		case orderRef != "" && strings.EqualFold(c.OrderRef, orderRef):
			return c.ID
		case orderRef != "" && c.OrderRef != "":
			continue
		}
		if score := dice(text, grams(c.Subject+" "+c.Description)); score >= threshold && score > bestScore {
			best, bestScore = c.ID, score
		}
	}
	return best
}

// Similarity is how alike two complaints' texts are, from 0 to 1.
func Similarity(a, b string) float64 { return dice(grams(a), grams(b)) }

// grams are the character n-grams of a text, which compare Chinese as well
// as English without a dictionary: bigrams of the runs of scripts that
// write no spaces between words (Han, kana, Hangul), trigrams of each
// other word padded with a space at either end (as pg_trgm makes them), so
// a word and its plural or past tense share most of theirs.
func grams(text string) map[string]struct{} {
	set := map[string]struct{}{}
	var word, run []rune
	flushWord := func() {
		if len(word) > 0 && !stopWords[string(word)] {
			padded := append(append([]rune{' '}, word...), ' ')
			for i := 0; i+3 <= len(padded); i++ {
				set[string(padded[i:i+3])] = struct{}{}
			}
		}
		word = word[:0]
	}
	flushRun := func() {
		for _, r := range run {
			set[string(r)] = struct{}{}
		}
		for i := 0; i+2 <= len(run); i++ {
			set[string(run[i:i+2])] = struct{}{}
		}
		run = run[:0]
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			flushWord()
			run = append(run, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushRun()
			word = append(word, r)
		default:
			flushWord()
			flushRun()
		}
	}
	flushWord()
	flushRun()
	return set
}

// stopWords are English words so common that two complaints sharing them
// say nothing of being alike.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but if so of to in on at by for from with without into
		i me my mine we our us you your it its is are was were be been being am do does did done have has had
		not no nor this that these those there here than then when what which who whom how why where
		can could will would shall should may might must just very too also still yet again ever
		he she him her his they them their one all any some each every both about after before since
		until while up down out off over under as please`) {
		stopWords[w] = true
	}
}

// dice is the Dice coefficient of two sets: twice what they share over
// their sizes together.
func dice(a, b map[string]struct{}) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for g := range a {
		if _, ok := b[g]; ok {
			shared++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}
