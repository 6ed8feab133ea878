{{/* Names: every object is "<release>-<component>". */}}
{{- define "edgecloud.name" -}}
{{- printf "%s-%s" .root.Release.Name .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "edgecloud.labels" -}}
app.kubernetes.io/name: edgecloud
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "edgecloud.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "edgecloud.image" -}}
image: {{ printf "%s:%s" .repository .tag | quote }}
imagePullPolicy: {{ .pullPolicy | default "IfNotPresent" }}
{{- end -}}

{{/* The container security context of every container: no root, no privilege escalation. */}}
{{- define "edgecloud.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  capabilities: {drop: ["ALL"]}
  runAsNonRoot: true
  runAsUser: {{ .uid }}
  runAsGroup: {{ .uid }}
  seccompProfile: {type: RuntimeDefault}
{{- end -}}

{{/* A secret's value: the one given, else the one already in the cluster, else a new one. */}}
{{- define "edgecloud.secretValue" -}}
{{- $given := index .root.Values.secrets .key -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace (include "edgecloud.name" (dict "root" .root "component" "secrets")) -}}
{{- if $given -}}
{{- $given | b64enc -}}
{{- else if and $existing (index $existing.data .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum 32 | b64enc -}}
{{- end -}}
{{- end -}}

{{- define "edgecloud.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "edgecloud.name" (dict "root" .root "component" "secrets") }}
      key: {{ .key }}
{{- end -}}

{{/* URLs of the release's Services. */}}
{{- define "edgecloud.url" -}}
{{- printf "http://%s:%d" (include "edgecloud.name" (dict "root" .root "component" .component)) (int .port) -}}
{{- end -}}
