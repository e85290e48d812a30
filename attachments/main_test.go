package attachments_test

import (
	"testing"

	"github.com/redress-dev/redress/redresstest"
)

func TestMain(m *testing.M) { redresstest.Main(m) }
