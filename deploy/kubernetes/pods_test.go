package kubernetes_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/redress-dev/redress/worker"
)

// The API's probes ask the endpoints the server serves (api/server.go) on
// the port it listens on: readiness follows PostgreSQL and Temporal,
// liveness only the process.
func TestAPIProbes(t *testing.T) {
	m := load(t)
	pod := m.containers()["redress-api"]
	if len(pod.Containers) != 1 {
		t.Fatalf("redress-api has %d containers; want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	for name, probe := range map[string]struct {
		probe *corev1.Probe
		path  string
	}{"readiness": {c.ReadinessProbe, "/readyz"}, "liveness": {c.LivenessProbe, "/healthz"}} {
		if probe.probe == nil || probe.probe.HTTPGet == nil {
			t.Errorf("redress-api has no HTTP %s probe", name)
			continue
		}
		get := probe.probe.HTTPGet
		if get.Path != probe.path {
			t.Errorf("%s probe asks %s; want %s", name, get.Path, probe.path)
		}
		if port := containerPort(c, get.Port.String()); port != 8080 {
			t.Errorf("%s probe asks port %s, which is container port %d; the API listens on 8080", name, get.Port.String(), port)
		}
	}
	for _, s := range m.services {
		for _, p := range s.Spec.Ports {
			if port := containerPort(c, p.TargetPort.String()); port != 8080 {
				t.Errorf("service %s sends to %s, container port %d; the API listens on 8080", s.Name, p.TargetPort.String(), port)
			}
		}
	}
}

// containerPort resolves a port given by name or number to its number.
func containerPort(c corev1.Container, port string) int32 {
	for _, p := range c.Ports {
		if p.Name == port || strconv.Itoa(int(p.ContainerPort)) == port {
			return p.ContainerPort
		}
	}
	return 0
}

// timeouts reads every "N * time.Unit" the pattern captures in the Go files
// of dir, so that raising a timeout in the code makes this test ask for a
// longer grace period.
func timeouts(t *testing.T, dir string, pattern *regexp.Regexp) []time.Duration {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]time.Duration{"Second": time.Second, "Minute": time.Minute, "Hour": time.Hour}
	var found []time.Duration
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pattern.FindAllStringSubmatch(string(src), -1) {
			n, _ := strconv.Atoi(m[1])
			found = append(found, time.Duration(n)*units[m[2]])
		}
	}
	if len(found) == 0 {
		t.Fatalf("no timeout like %s in %s; has the code changed shape?", pattern, dir)
	}
	return found
}

// A worker's grace period outlasts anything it may hold at SIGTERM: the
// longest activity (the campaign's scoring, 2 min, when written) and an
// outbox lease, twice the longest send (SMTP's 30 s: 60 s).
func TestWorkerGraceOutlastsItsWork(t *testing.T) {
	activities := timeouts(t, "../../workflows", regexp.MustCompile(`(?:StartToClose|ScheduleToClose)Timeout:\s*(\d+)\s*\*\s*time\.(Second|Minute|Hour)\b`))
	sends := timeouts(t, "../../notify", regexp.MustCompile(`(?:smtp|webhook)Timeout\s*=\s*(\d+)\s*\*\s*time\.(Second|Minute)\b`))
	longest := max(slices.Max(activities), 2*slices.Max(sends))

	pod := load(t).containers()["redress-worker"]
	if pod.TerminationGracePeriodSeconds == nil {
		t.Fatal("redress-worker keeps the default grace period of 30 s")
	}
	if grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second; grace <= max(longest, worker.StopTimeout) {
		t.Errorf("redress-worker's grace period %s does not outlast its longest work, %s, or its stop timeout, %s", grace, longest, worker.StopTimeout)
	}
}

// The API's grace period covers the preStop pause and the 20 s the server
// gives requests under way to finish (runAPI in cmd/redress).
func TestAPIGraceCoversItsDrain(t *testing.T) {
	const serverDrain = 20 * time.Second
	pod := load(t).containers()["redress-api"]
	var pause time.Duration
	if pre := pod.Containers[0].Lifecycle; pre != nil && pre.PreStop != nil && pre.PreStop.Sleep != nil {
		pause = time.Duration(pre.PreStop.Sleep.Seconds) * time.Second
	}
	if pod.TerminationGracePeriodSeconds == nil {
		t.Fatal("redress-api keeps the default grace period")
	}
	if grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second; grace <= pause+serverDrain {
		t.Errorf("redress-api's grace period %s does not cover the pause %s and the drain %s", grace, pause, serverDrain)
	}
}

// Every pod runs as the image's user, by number (the Dockerfile names it
// nobody, which the kubelet cannot check against runAsNonRoot), on a
// read-only root with no privileges: nothing redress api, worker or migrate
// does writes a file.
func TestPodsRunLockedDown(t *testing.T) {
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^USER nobody$`).Match(dockerfile) {
		t.Fatal("the Dockerfile no longer runs as nobody; change runAsUser to match")
	}
	const nobody = 65534
	images := map[string]bool{}
	for owner, pod := range load(t).containers() {
		sc := pod.SecurityContext
		if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != nobody {
			t.Errorf("%s: pod does not run as non-root user %d", owner, nobody)
		}
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			t.Errorf("%s mounts a service account token it never uses", owner)
		}
		for _, c := range pod.Containers {
			images[c.Image] = true
			csc := c.SecurityContext
			if csc == nil || csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem ||
				csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
				t.Errorf("%s: container %s may write its root or escalate privileges", owner, c.Name)
			}
			if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
				t.Errorf("%s: container %s requests no CPU, so the scheduler and autoscaler cannot size it", owner, c.Name)
			}
			if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
				t.Errorf("%s: container %s has no memory limit", owner, c.Name)
			}
		}
	}
	if len(images) != 1 {
		t.Errorf("containers run images %v; want one, so the migration matches the code", images)
	}
}

// A Prometheus that discovers pods by their prometheus.io annotations
// scrapes the API on its HTTP port and the worker on its metrics listener,
// the port REDRESS_METRICS_ADDR names.
func TestPodsAreScraped(t *testing.T) {
	m := load(t)
	listens := map[string]string{"redress-api": "8080", "redress-worker": ""}
	for _, d := range m.deployments {
		if _, ok := listens[d.Name]; !ok {
			continue
		}
		want := listens[d.Name]
		c := d.Spec.Template.Spec.Containers[0]
		for _, e := range c.Env {
			if e.Name == "REDRESS_METRICS_ADDR" {
				_, want, _ = strings.Cut(e.Value, ":")
			}
		}
		a := d.Spec.Template.Annotations
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/path"] != "/metrics" {
			t.Errorf("%s: annotations %v; want prometheus.io/scrape true and path /metrics", d.Name, a)
		}
		if port := a["prometheus.io/port"]; port == "" || port != want || containerPort(c, port) == 0 {
			t.Errorf("%s: scraped on port %q; it serves /metrics on %q, which must be a container port", d.Name, port, want)
		}
		delete(listens, d.Name)
	}
	if len(listens) > 0 {
		t.Errorf("no Deployment for %v", listens)
	}
}
