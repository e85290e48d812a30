package postgres_test

import (
	"testing"

	"github.com/redress-dev/redress"
	"github.com/redress-dev/redress/postgres"

	"github.com/redress-dev/redress/redresstest"
)

func TestMain(m *testing.M) { redresstest.Main(m) }

// utcBasis counts analytics days in UTC, with the default repeat window.
var utcBasis = postgres.BasisOf(redress.Policy{Timezone: "UTC", Analytics: redress.DefaultPolicy().Analytics})
