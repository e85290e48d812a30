// Package kubernetes_test checks the manifests in this directory the way a
// reviewer would: each document is a real Kubernetes object with no unknown
// field, the kustomization applies all of them, and what refers to what
// (selectors, Secrets, ConfigMaps, the autoscaler's target) exists.
package kubernetes_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// manifests are the decoded objects of every file the kustomization lists.
type manifests struct {
	deployments  []*appsv1.Deployment
	jobs         []*batchv1.Job
	services     []*corev1.Service
	configMaps   []*corev1.ConfigMap
	secrets      []*corev1.Secret
	namespaces   []*corev1.Namespace
	autoscalers  []*autoscalingv2.HorizontalPodAutoscaler
	budgets      []*policyv1.PodDisruptionBudget
	labelsByKind map[string][]map[string]string
}

type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Resources  []string `json:"resources"`
}

var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// load decodes every YAML document of the directory strictly into the type
// its apiVersion and kind name, failing on an unknown kind or field.
func load(t *testing.T) *manifests {
	t.Helper()
	k := loadKustomization(t)
	m := &manifests{labelsByKind: map[string][]map[string]string{}}
	for _, file := range k.Resources {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("kustomization.yaml lists %s: %v", file, err)
		}
		for _, doc := range documentSeparator.Split(string(raw), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			m.add(t, file, []byte(doc))
		}
	}
	return m
}

func (m *manifests) add(t *testing.T, file string, doc []byte) {
	t.Helper()
	var meta struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		t.Fatalf("%s: not YAML: %v", file, err)
	}
	var obj any
	switch meta.APIVersion + " " + meta.Kind {
	case "apps/v1 Deployment":
		obj = appendNew(&m.deployments)
	case "batch/v1 Job":
		obj = appendNew(&m.jobs)
	case "v1 Service":
		obj = appendNew(&m.services)
	case "v1 ConfigMap":
		obj = appendNew(&m.configMaps)
	case "v1 Secret":
		obj = appendNew(&m.secrets)
	case "v1 Namespace":
		obj = appendNew(&m.namespaces)
	case "autoscaling/v2 HorizontalPodAutoscaler":
		obj = appendNew(&m.autoscalers)
	case "policy/v1 PodDisruptionBudget":
		obj = appendNew(&m.budgets)
	default:
		t.Fatalf("%s: unknown kind %q of apiVersion %q", file, meta.Kind, meta.APIVersion)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		t.Fatalf("%s: %s: %v", file, meta.Kind, err)
	}
	m.labelsByKind[meta.Kind] = append(m.labelsByKind[meta.Kind], meta.Metadata.Labels)
}

func appendNew[T any](list *[]*T) *T {
	v := new(T)
	*list = append(*list, v)
	return v
}

var commentLine = regexp.MustCompile(`(?m)^\s*#.*$`)

func stripComments(doc string) string { return commentLine.ReplaceAllString(doc, "") }

func loadKustomization(t *testing.T) kustomization {
	t.Helper()
	raw, err := os.ReadFile("kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k kustomization
	if err := yaml.UnmarshalStrict(raw, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		t.Fatalf("kustomization.yaml is %s %s; want kustomize.config.k8s.io/v1beta1 Kustomization", k.APIVersion, k.Kind)
	}
	return k
}

// kubectl apply -k applies only what the kustomization lists: a manifest
// left out would silently never reach the cluster.
func TestKustomizationListsEveryManifest(t *testing.T) {
	k := loadKustomization(t)
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return f == "kustomization.yaml" })
	listed := slices.Sorted(slices.Values(k.Resources))
	if !slices.Equal(listed, files) {
		t.Errorf("kustomization.yaml lists %v; the directory holds %v", listed, files)
	}
	m := load(t)
	if len(m.namespaces) != 1 || m.namespaces[0].Name != k.Namespace {
		t.Errorf("the kustomization puts everything in namespace %q, which the manifests must create", k.Namespace)
	}
}

// Every object a reviewer expects is there, and each workload's selector
// picks its own pods and no other workload's.
func TestSelectorsMatchPods(t *testing.T) {
	m := load(t)
	deployments := map[string]*appsv1.Deployment{}
	for _, d := range m.deployments {
		deployments[d.Name] = d
		if !matches(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
			t.Errorf("deployment %s: selector %v does not match its pod labels %v", d.Name, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
		}
	}
	if _, ok := deployments["redress-api"]; !ok {
		t.Fatal("no redress-api Deployment")
	}
	if _, ok := deployments["redress-worker"]; !ok {
		t.Fatal("no redress-worker Deployment")
	}
	// selected names the Deployments whose pods a selector picks.
	selected := func(selector map[string]string) []string {
		var names []string
		for _, d := range m.deployments {
			if len(selector) > 0 && matches(selector, d.Spec.Template.Labels) {
				names = append(names, d.Name)
			}
		}
		return names
	}
	for _, s := range m.services {
		if got := selected(s.Spec.Selector); !slices.Equal(got, []string{"redress-api"}) {
			t.Errorf("service %s selects the pods of %v; want redress-api's", s.Name, got)
		}
	}
	budgets := map[string]bool{}
	for _, b := range m.budgets {
		got := selected(b.Spec.Selector.MatchLabels)
		if len(got) != 1 {
			t.Errorf("pod disruption budget %s selects the pods of %v; want one Deployment's", b.Name, got)
			continue
		}
		budgets[got[0]] = true
		if b.Spec.MinAvailable == nil || b.Spec.MinAvailable.IntValue() != 1 {
			t.Errorf("pod disruption budget %s: minAvailable %v; want 1", b.Name, b.Spec.MinAvailable)
		}
	}
	if !budgets["redress-api"] || !budgets["redress-worker"] {
		t.Errorf("pod disruption budgets cover %v; want both redress-api and redress-worker", budgets)
	}
	if len(m.autoscalers) != 1 {
		t.Fatalf("%d autoscalers; want one, for the API", len(m.autoscalers))
	}
	hpa := m.autoscalers[0]
	if ref := hpa.Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || ref.Name != "redress-api" {
		t.Errorf("autoscaler targets %s %s %s; want apps/v1 Deployment redress-api", ref.APIVersion, ref.Kind, ref.Name)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
		t.Errorf("autoscaler keeps at least %v API replicas; want 2, so one survives a drain", hpa.Spec.MinReplicas)
	}
	if len(hpa.Spec.Metrics) != 1 || hpa.Spec.Metrics[0].Resource == nil || hpa.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU {
		t.Errorf("autoscaler metrics %+v; want CPU", hpa.Spec.Metrics)
	}
	if deployments["redress-api"].Spec.Replicas != nil {
		t.Error("redress-api sets replicas, which every apply would reset under the autoscaler")
	}
	for _, j := range m.jobs {
		if !matches(map[string]string{"app.kubernetes.io/component": "migrate"}, j.Spec.Template.Labels) ||
			!slices.Equal(j.Spec.Template.Spec.Containers[0].Args, []string{"migrate"}) {
			t.Errorf("job %s does not run redress migrate", j.Name)
		}
	}
}

func matches(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// kustomization.yaml's recipe applies everything outside the api and worker
// components first, waits for the migration Job, then applies the rest. So
// the first step must carry the Job and everything it needs, and no
// Deployment.
func TestOrderingRecipeRunsTheMigrationFirst(t *testing.T) {
	m := load(t)
	const component = "app.kubernetes.io/component"
	for kind, all := range m.labelsByKind {
		for _, labels := range all {
			later := labels[component] == "api" || labels[component] == "worker"
			if kind == "Deployment" && !later {
				t.Errorf("a Deployment labelled %s=%q would start with the migration, before it ends", component, labels[component])
			}
			if (kind == "Job" || kind == "Secret" || kind == "ConfigMap" || kind == "Namespace") && later {
				t.Errorf("a %s labelled %s=%q would wait for the migration that needs it", kind, component, labels[component])
			}
		}
	}
	if len(m.jobs) != 1 {
		t.Errorf("%d Jobs; want one, the migration", len(m.jobs))
	}
}
