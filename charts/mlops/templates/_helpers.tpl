{{/*
The apps of the platform: values key -> app name (image, labels, resource names). Every
per-app template ranges over this map, so an app is one values section and nothing else.
*/}}
{{- define "mlops.components" -}}
gateway: gateway
abRouter: ab-router
inference: inference
trainer: trainer
featureStore: feature-store
{{- end }}

{{/* Resource name of one app: <release>-<app>. Context: dict root name c. */}}
{{- define "mlops.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "mlops.selectorLabels" -}}
app.kubernetes.io/name: mlops
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "mlops.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{ include "mlops.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: mlops-platform
{{- end }}

{{/* <registry>/<app>:<tag>, as docker/build-image.sh tags images; the tag defaults to appVersion. */}}
{{- define "mlops.image" -}}
{{- $repository := .c.image.repository | default (printf "%s/%s" .root.Values.global.image.registry .name) -}}
{{- $tag := .c.image.tag | default .root.Values.global.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end }}

{{/*
Flattens a config map into env vars the way libs/config reads them: key paths joined with `_`,
camelCase to UPPER_SNAKE (kafka.brokers -> KAFKA_BROKERS, maxQueueDelayMs -> MAX_QUEUE_DELAY_MS),
lists comma-joined. Context: dict prefix value.
*/}}
{{- define "mlops.flattenEnv" -}}
{{- range $key, $value := .value }}
{{- $name := printf "%s%s" $.prefix ($key | snakecase | upper) }}
{{- if kindIs "map" $value }}
{{- include "mlops.flattenEnv" (dict "prefix" (printf "%s_" $name) "value" $value) }}
{{- else if kindIs "slice" $value }}
{{ $name }}: {{ join "," $value | quote }}
{{- else if kindIs "string" $value }}
{{ $name }}: {{ $value | quote }}
{{- else if not (kindIs "invalid" $value) }}
{{ $name }}: {{ $value | toJson | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The app's whole config: global.config, overlaid by the app's own config and what the chart knows. */}}
{{- define "mlops.config" -}}
{{- $config := mergeOverwrite (deepCopy .root.Values.global.config) (deepCopy (.c.config | default dict)) -}}
{{- $_ := set $config "port" .c.port -}}
{{- if ne .c.modelStore "none" }}{{ $_ := set $config "modelStoreDir" .root.Values.global.modelStore.mountPath }}{{ end -}}
{{- $data := .root.Values.global.data -}}
{{- if ne (.c.data | default "none") "none" }}
{{- $_ := set $config "sst2Dir" (printf "%s/%s" $data.mountPath $data.sst2Dir) -}}
{{- $_ := set $config "vocabFile" (printf "%s/%s" $data.mountPath $data.vocabFile) -}}
{{- end -}}
{{- if and (eq .name "gateway") .root.Values.featureStore.enabled (not (hasKey $config "featureStoreUrl")) }}
{{- $_ := set $config "featureStoreUrl" (include "mlops.featureStoreUrl" .root) -}}
{{- end -}}
{{- if and .c.useRedis (not .root.Values.global.redis.existingSecret) }}{{ $_ := set $config "redisUrl" .root.Values.global.redis.url }}{{ end -}}
{{- include "mlops.flattenEnv" (dict "prefix" "" "value" $config) -}}
{{- end }}

{{/* The feature store's HTTP API inside the cluster, as the gateway calls it (FEATURE_STORE_URL). */}}
{{- define "mlops.featureStoreUrl" -}}
{{- printf "http://%s:%d" (include "mlops.fullname" (dict "root" . "name" "feature-store")) (int .Values.featureStore.port) -}}
{{- end }}

{{- define "mlops.modelStoreClaim" -}}
{{- .Values.global.modelStore.existingClaim | default (printf "%s-model-store" .Release.Name) -}}
{{- end }}

{{/* Does any enabled app mount the model store? */}}
{{- define "mlops.usesModelStore" -}}
{{- range $key, $name := include "mlops.components" $ | fromYaml }}
{{- $c := index $.Values $key }}
{{- if and $c.enabled (ne $c.modelStore "none") }}yes{{ end }}
{{- end }}
{{- end }}
