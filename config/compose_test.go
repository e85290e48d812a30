package config_test

import (
	"maps"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// docker-compose.yml gives the production commands their configuration. It
// must hold no secret that works, so compose refuses to start until the
// user makes real ones, and publish only the API and the Web UI: Temporal's
// frontend has no authentication.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Volumes     []string          `yaml:"volumes"`
			Expose      []string          `yaml:"expose"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatalf("docker-compose.yml is not YAML: %v", err)
	}
	var names []string
	for name := range compose.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"api", "migrate", "postgres", "temporal", "temporal-namespace", "temporal-schema", "temporal-ui", "worker"}; !slices.Equal(names, want) {
		t.Fatalf("services %v; want %v", names, want)
	}

	// Temporal as its documentation sets it up now: the server image after a
	// schema job of the admin tools (auto-setup is deprecated), both
	// databases brought to the versioned schema, the namespace made before
	// Redress starts.
	schema, server := compose.Services["temporal-schema"], compose.Services["temporal"]
	script := strings.Join(schema.Command, "\n")
	if strings.Contains(string(raw), "auto-setup") || !strings.HasPrefix(server.Image, "temporalio/server:") ||
		!strings.HasPrefix(schema.Image, "temporalio/admin-tools:") ||
		!strings.Contains(script, "temporal-sql-tool --plugin postgres12") ||
		!strings.Contains(script, "setup-schema -v 0.0") ||
		!strings.Contains(script, "/etc/temporal/schema/postgresql/v12/$$db/versioned") ||
		server.DependsOn["temporal-schema"].Condition != "service_completed_successfully" {
		t.Errorf("Temporal: server %q after %+v; schema job %q running %q", server.Image, server.DependsOn, schema.Image, script)
	}
	// The Temporal release whose Go modules the process tests run, and the
	// dynamic configuration they give it (devstack checks the file).
	goMod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	release := func(module string) string {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + ` v(\S+)$`).FindSubmatch(goMod)
		if m == nil {
			t.Fatalf("go.mod requires no %s", module)
		}
		return string(m[1])
	}
	temporalRelease, uiRelease := release("go.temporal.io/server"), release("github.com/temporalio/ui-server/v2")
	for name, want := range map[string]string{"temporal": "temporalio/server:" + temporalRelease, "temporal-schema": "temporalio/admin-tools:" + temporalRelease,
		"temporal-namespace": "temporalio/admin-tools:" + temporalRelease, "temporal-ui": "temporalio/ui:" + uiRelease} {
		if got := compose.Services[name].Image; got != want {
			t.Errorf("%s runs %s; want %s, the release the tests run", name, got, want)
		}
	}
	temporal := compose.Services["temporal"]
	if path := temporal.Environment["DYNAMIC_CONFIG_FILE_PATH"]; !slices.Contains(temporal.Volumes, "./deploy/temporal/dynamicconfig.yaml:"+path+":ro") {
		t.Errorf("temporal reads its dynamic configuration from %q, mounting %v; want deploy/temporal/dynamicconfig.yaml there", path, temporal.Volumes)
	}
	for _, s := range []string{"api", "worker"} {
		if compose.Services[s].DependsOn["temporal-namespace"].Condition != "service_completed_successfully" {
			t.Errorf("%s starts before the namespace is made: %+v", s, compose.Services[s].DependsOn)
		}
	}

	published := map[string][]string{}
	for name, s := range compose.Services {
		if len(s.Ports) > 0 {
			published[name] = s.Ports
		}
	}
	if want := map[string][]string{"api": {"8080:8080"}, "temporal-ui": {"127.0.0.1:8233:8080"}}; !maps.EqualFunc(published, want, slices.Equal[[]string]) {
		t.Errorf("published ports %v; want only %v (never Temporal's 7233, the Web UI on this machine only)", published, want)
	}
	// The Web UI, which has no sign-in, cannot terminate or reset a complaint.
	if v := compose.Services["temporal-ui"].Environment["TEMPORAL_DISABLE_WRITE_ACTIONS"]; v != "true" {
		t.Errorf("the Web UI's write actions are on (TEMPORAL_DISABLE_WRITE_ACTIONS %q)", v)
	}

	if strings.Contains(strings.ToLower(string(raw)), "change-me") {
		t.Error(`docker-compose.yml still holds a "change-me" example`)
	}
	// A secret comes from a variable that compose requires, so a missing one
	// stops compose with the message instead of starting with it empty.
	required := regexp.MustCompile(`^\$\{[A-Z_]+:\?[^}]+\}$`)
	secretName := regexp.MustCompile(`SECRET|KEYS|PASSWORD|PWD`)
	dbURL := regexp.MustCompile(`^postgres://redress:(\$\{[^}]+\})@postgres:5432/redress\?sslmode=disable$`)
	reference := regexp.MustCompile(`\$\{[^}]*\}`)
	for name, s := range compose.Services {
		for key, value := range s.Environment {
			switch {
			case secretName.MatchString(key) && !required.MatchString(value):
				t.Errorf("%s: %s is %q; want a required variable, ${NAME:?how to make it}", name, key, value)
			case key == "DATABASE_URL":
				if m := dbURL.FindStringSubmatch(value); m == nil || !required.MatchString(m[1]) {
					t.Errorf("%s: DATABASE_URL %q; want its password from a required variable", name, value)
				}
			}
			for _, ref := range reference.FindAllString(value, -1) {
				if !required.MatchString(ref) {
					t.Errorf("%s: %s uses %s, which compose would fill with nothing when unset", name, key, ref)
				}
			}
		}
	}
	// The worker serves its metrics on the compose network, where a
	// Prometheus can scrape them, without publishing them.
	worker := compose.Services["worker"]
	addr := worker.Environment["REDRESS_METRICS_ADDR"]
	if _, port, err := net.SplitHostPort(addr); err != nil || !slices.Contains(worker.Expose, port) {
		t.Errorf("worker: REDRESS_METRICS_ADDR %q, expose %v; want the metrics port exposed", addr, worker.Expose)
	}

	// The secrets the production commands check reach them.
	for service, keys := range map[string][]string{
		"worker": {"REDRESS_TOKEN_SECRET", "REDRESS_PAYLOAD_KEYS", "REDRESS_DATA_KEYS", "DATABASE_URL"},
		"api":    {"REDRESS_TOKEN_SECRET", "REDRESS_PAYLOAD_KEYS", "REDRESS_DATA_KEYS", "REDRESS_API_KEYS", "DATABASE_URL"},
	} {
		for _, key := range keys {
			if _, ok := compose.Services[service].Environment[key]; !ok {
				t.Errorf("%s gets no %s", service, key)
			}
		}
	}
}
