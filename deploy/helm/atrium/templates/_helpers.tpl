{{/*
The chart name, for the app.kubernetes.io/name label.
*/}}
{{- define "atrium.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object name: fullnameOverride, else the release name. The services are then
<release>-<service> (atrium-gateway, atrium-directory, ...), which is also their DNS name.
Capped so that "<prefix>-<longest service name>" stays within 63 characters.
*/}}
{{- define "atrium.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/*
Name of one service's objects. Call with (dict "root" $ "name" "gateway").
*/}}
{{- define "atrium.serviceFullname" -}}
{{- printf "%s-%s" (include "atrium.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "atrium.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels selecting every pod of the release (the default-deny NetworkPolicy uses them).
*/}}
{{- define "atrium.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "atrium.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels common to every object of the release.
*/}}
{{- define "atrium.labels" -}}
helm.sh/chart: {{ include "atrium.chart" . }}
{{ include "atrium.releaseSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: atrium
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels of one service's pods. Call with (dict "root" $ "name" "gateway").
*/}}
{{- define "atrium.selectorLabels" -}}
{{ include "atrium.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
Labels of one service's objects. Call with (dict "root" $ "name" "gateway").
*/}}
{{- define "atrium.serviceLabels" -}}
{{ include "atrium.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
The one image all services run.
*/}}
{{- define "atrium.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end -}}
{{- end }}

{{/*
Name of the Secret rendered by the chart when secrets.create is true.
*/}}
{{- define "atrium.generatedSecretName" -}}
{{- printf "%s-secrets" (include "atrium.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Secret holding <service>-database-url keys.
*/}}
{{- define "atrium.postgresql.secretName" -}}
{{- if .Values.secrets.create -}}
{{- include "atrium.generatedSecretName" . }}
{{- else -}}
{{- required "postgresql.existingSecret is required (a Secret with <service>-database-url keys), or set secrets.create=true" .Values.postgresql.existingSecret }}
{{- end -}}
{{- end }}

{{/*
Secret holding identity-key and jwt-secret.
*/}}
{{- define "atrium.auth.secretName" -}}
{{- if .Values.secrets.create -}}
{{- include "atrium.generatedSecretName" . }}
{{- else -}}
{{- required "auth.existingSecret is required (a Secret with identity-key and jwt-secret keys), or set secrets.create=true" .Values.auth.existingSecret }}
{{- end -}}
{{- end }}

{{/*
The REDIS_URL env var: from the generated Secret, an existing Secret, or the plain url.
*/}}
{{- define "atrium.redisUrlEnv" -}}
- name: REDIS_URL
{{- if and .Values.secrets.create .Values.secrets.redisUrl }}
  valueFrom:
    secretKeyRef:
      name: {{ include "atrium.generatedSecretName" . }}
      key: redis-url
{{- else if .Values.redis.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else }}
  value: {{ required "redis.url or redis.existingSecret is required" .Values.redis.url | quote }}
{{- end }}
{{- end }}

{{/*
Services that call service .name over gRPC (the reverse of every service's `calls`).
Returns a JSON list; use with fromJsonArray.
*/}}
{{- define "atrium.callersOf" -}}
{{- $callers := list -}}
{{- range $caller, $svc := .root.Values.services -}}
{{- if has $.name ($svc.calls | default list) -}}
{{- $callers = append $callers $caller -}}
{{- end -}}
{{- end -}}
{{- toJson $callers -}}
{{- end }}

{{/*
Effective autoscaling settings of a service: each key of its own block replaces the default
(a key-by-key override, so `enabled: false` in a service really disables it).
Returns YAML; use with fromYaml. Call with (dict "root" $ "svc" $svc).
*/}}
{{- define "atrium.autoscaling" -}}
{{- $eff := deepCopy .root.Values.autoscaling -}}
{{- range $k, $v := (.svc.autoscaling | default dict) }}{{ $_ := set $eff $k $v }}{{ end -}}
{{- toYaml $eff }}
{{- end }}

{{/*
Effective PodDisruptionBudget settings of a service. Returns YAML; use with fromYaml.
*/}}
{{- define "atrium.pdb" -}}
{{- $eff := deepCopy .root.Values.podDisruptionBudget -}}
{{- range $k, $v := (.svc.podDisruptionBudget | default dict) }}{{ $_ := set $eff $k $v }}{{ end -}}
{{- toYaml $eff }}
{{- end }}

{{/*
The gateway's blob store env: an S3-compatible bucket, credentials by Secret reference.
*/}}
{{- define "atrium.blobStoreEnv" -}}
{{- $s3 := .Values.blobStore.s3 -}}
{{- $generated := .Values.secrets.create -}}
{{- $secret := ternary (include "atrium.generatedSecretName" .) $s3.existingSecret $generated -}}
- name: ATRIUM_BLOB_STORE
  value: s3
{{- with $s3.endpoint }}
- name: ATRIUM_S3_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: ATRIUM_S3_REGION
  value: {{ $s3.region | quote }}
- name: ATRIUM_S3_BUCKET
  value: {{ $s3.bucket | quote }}
- name: ATRIUM_S3_FORCE_PATH_STYLE
  value: {{ $s3.forcePathStyle | toString | quote }}
- name: ATRIUM_S3_SPOOL_DIR
  value: /var/cache/atrium-media
- name: ATRIUM_S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ required "blobStore.s3.existingSecret is required (a Secret with the S3 access key), or set secrets.create=true with secrets.s3AccessKeyId and secrets.s3SecretAccessKey" $secret }}
      key: {{ ternary "s3-access-key-id" $s3.accessKeyIdKey $generated }}
- name: ATRIUM_S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ ternary "s3-secret-access-key" $s3.secretAccessKeyKey $generated }}
{{- end }}
