{{/*
Named templates of the Flowsight chart.

The templates keep to a small subset of Helm's template language, which deploy/helm/go-template.ts
renders in the tests (no helm binary is installable in CI): if / else if / else / range / define,
$variables, include, toYaml, indent, nindent, quote, default, empty, required, fail, and, or, not,
eq, ne, printf, trunc, trimSuffix, contains, join. Compare only strings with eq / ne (Helm's numbers
are float64).
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "flowsight.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The resource name: fullnameOverride, the release name when it contains the chart name, else <release>-<chart>. */}}
{{- define "flowsight.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Cluster-scoped objects carry the namespace too: two releases of the same name must not share them. */}}
{{- define "flowsight.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "flowsight.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the pods. */}}
{{- define "flowsight.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flowsight.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object. */}}
{{- define "flowsight.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" }}
{{ include "flowsight.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "flowsight.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "flowsight.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is needed when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "true" when the embedded store keeps its data on a PersistentVolumeClaim (empty otherwise). */}}
{{- define "flowsight.usePVC" -}}
{{- if and .Values.history.enabled (not .Values.history.clickhouse.existingSecret) .Values.persistence.enabled -}}
true
{{- end -}}
{{- end -}}

{{- define "flowsight.pvcName" -}}
{{- default (printf "%s-data" (include "flowsight.fullname" .)) .Values.persistence.existingClaim -}}
{{- end -}}

{{/* "https" when Flowsight serves TLS itself, else "http": the container port's name and the probes' scheme. */}}
{{- define "flowsight.scheme" -}}
{{- if .Values.tls.existingSecret -}}https{{- else -}}http{{- end -}}
{{- end -}}

{{/* The image of the server and of the report CronJob. */}}
{{- define "flowsight.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{/* The pod securityContext of every Flowsight pod (the server and the report CronJob's). */}}
{{- define "flowsight.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
# Makes the volumes (data, evidence) and the mounted Secrets readable and writable by uid 10001's group.
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The container securityContext of every Flowsight container: nothing to escalate, nothing to write but volumes. */}}
{{- define "flowsight.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* The report CronJob's name (and its policies'): 52 characters at most, as a CronJob's Jobs add 11. */}}
{{- define "flowsight.reportsName" -}}
{{- printf "%s-reports" (include "flowsight.fullname" . | trunc 44 | trimSuffix "-") -}}
{{- end -}}

{{/*
Labels that select the report CronJob's pods. Its name label differs from the server's, so the
Deployment, the Service and the server's network policies (all on flowsight.selectorLabels) never
take a report pod for a server pod.
*/}}
{{- define "flowsight.reportsSelectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-reports" (include "flowsight.name" . | trunc 55 | trimSuffix "-") }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: reports
{{- end -}}

{{/* Labels of the report CronJob, its Jobs and pods. */}}
{{- define "flowsight.reportsLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | trunc 63 | trimSuffix "-" }}
{{ include "flowsight.reportsSelectorLabels" . }}
app.kubernetes.io/part-of: {{ include "flowsight.name" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The URL the report CronJob reaches the server at: this release's Service, over TLS when Flowsight serves it. */}}
{{- define "flowsight.reportsUrl" -}}
{{- printf "%s://%s.%s.svc:%v" (include "flowsight.scheme" .) (include "flowsight.fullname" .) .Release.Namespace .Values.service.port -}}
{{- end -}}
