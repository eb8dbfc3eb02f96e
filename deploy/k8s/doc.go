// Package k8s holds the Kubernetes manifests of the platform (a Kustomize
// base and one overlay per country stack) and the test that renders them
// with the kustomize API and checks their invariants; it has no code of
// its own, so nothing of kustomize reaches the binary.
package k8s
