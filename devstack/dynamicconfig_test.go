package devstack

import (
	"os"
	"reflect"
	"testing"

	"go.temporal.io/server/common/dynamicconfig"
)

// docker-compose.yml's Temporal server reads its dynamic configuration from
// deploy/temporal/dynamicconfig.yaml. Read by Temporal's own loader, it must
// hold what the embedded server of the process tests runs with, so that
// compose runs the shape the tests check.
func TestComposeDynamicConfig(t *testing.T) {
	contents, err := os.ReadFile("../deploy/temporal/dynamicconfig.yaml")
	if err != nil {
		t.Fatal(err)
	}
	loaded := dynamicconfig.LoadYamlFile(contents)
	if err := loaded.Err(); err != nil || len(loaded.Warnings) > 0 {
		t.Fatalf("Temporal's loader: %v, warnings %v", err, loaded.Warnings)
	}
	want := DynamicConfig()
	if len(loaded.Map) != len(want) {
		t.Errorf("the file sets %d keys, the embedded server %d", len(loaded.Map), len(want))
	}
	for key, values := range want {
		if got := loaded.Map[key]; !reflect.DeepEqual(got, values) {
			t.Errorf("%s: the file sets %+v, the embedded server %+v", key, got, values)
		}
	}
}
