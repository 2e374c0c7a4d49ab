{{/*
The pod of one app, shared by its Deployment and (for the trainer) its CronJob.
Context: dict root name c, plus job=true for a run-to-completion pod with `args`.
*/}}
{{- define "mlops.podSpec" -}}
{{- $g := .root.Values.global -}}
{{- $gpuConfig := .c.gpu | default dict -}}
{{- $gpu := $gpuConfig.enabled | default false -}}
serviceAccountName: {{ include "mlops.fullname" . }}
automountServiceAccountToken: false
{{- with $g.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml $g.podSecurityContext | nindent 2 }}
{{- if .job }}
restartPolicy: Never
{{- else }}
# Longer than the apps' own shutdown grace (shutdownGraceMs, 10 s) plus the preStop pause.
terminationGracePeriodSeconds: {{ .c.terminationGracePeriodSeconds }}
{{- if $g.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range $topologyKey, $whenUnsatisfiable := dict "topology.kubernetes.io/zone" $g.topologySpread.zone "kubernetes.io/hostname" $g.topologySpread.hostname }}
  - maxSkew: {{ $g.topologySpread.maxSkew }}
    topologyKey: {{ $topologyKey }}
    whenUnsatisfiable: {{ $whenUnsatisfiable }}
    matchLabelKeys: [pod-template-hash]
    labelSelector:
      matchLabels:
        {{- include "mlops.selectorLabels" $ | nindent 8 }}
  {{- end }}
{{- end }}
{{- end }}
{{- with merge (deepCopy (.c.nodeSelector | default dict)) (ternary ($gpuConfig.nodeSelector | default dict) dict $gpu) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with concat (.c.tolerations | default list) (ternary ($gpuConfig.tolerations | default list) list $gpu) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: {{ .name }}
    image: {{ include "mlops.image" . }}
    imagePullPolicy: {{ .c.image.pullPolicy | default $g.image.pullPolicy }}
    {{- if .job }}
    args: {{ toJson .c.cronJob.args }}
    {{- else }}
    ports:
      - name: http
        containerPort: {{ .c.port }}
        protocol: TCP
    {{- end }}
    envFrom:
      - configMapRef:
          name: {{ include "mlops.fullname" . }}
      {{- if .c.secretEnv }}
      - secretRef:
          name: {{ include "mlops.fullname" . }}
      {{- end }}
      {{- with .c.existingSecret }}
      - secretRef:
          name: {{ . }}
      {{- end }}
    {{- if and .c.useRedis $g.redis.existingSecret }}
    env:
      - name: REDIS_URL
        valueFrom:
          secretKeyRef:
            name: {{ $g.redis.existingSecret }}
            key: REDIS_URL
    {{- end }}
    {{- $resources := deepCopy .c.resources }}
    {{- if .job }}{{ $resources = deepCopy .c.cronJob.resources }}{{ end }}
    {{- if $gpu }}
    {{- $_ := set $resources "limits" (merge (dict $gpuConfig.resourceName $gpuConfig.count) $resources.limits) }}
    {{- end }}
    resources:
      {{- toYaml $resources | nindent 6 }}
    securityContext:
      {{- toYaml $g.containerSecurityContext | nindent 6 }}
    {{- if not .job }}
    # /health: the process is alive (restart if not); /ready: it can take work (Kafka joined,
    # models loaded), so traffic and rollouts wait for it. Startup allows slow model loading.
    startupProbe:
      httpGet: { path: /health, port: http }
      periodSeconds: 5
      failureThreshold: {{ .c.probes.startupFailureThreshold }}
    livenessProbe:
      httpGet: { path: /health, port: http }
      periodSeconds: 10
      timeoutSeconds: 2
      failureThreshold: 3
    readinessProbe:
      httpGet: { path: /ready, port: http }
      periodSeconds: 5
      timeoutSeconds: 2
      failureThreshold: 2
    lifecycle:
      # Lets the Service drop the pod before the app stops its intake.
      preStop:
        exec:
          command: ["sleep", "5"]
    {{- end }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      {{- if ne .c.modelStore "none" }}
      - name: model-store
        mountPath: {{ $g.modelStore.mountPath }}
        readOnly: {{ eq .c.modelStore "readOnly" }}
      {{- end }}
      {{- if ne (.c.data | default "none") "none" }}
      - name: training-data
        mountPath: {{ $g.data.mountPath }}
        readOnly: true
      {{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ $g.tmpSizeLimit }}
  {{- if ne .c.modelStore "none" }}
  - name: model-store
    persistentVolumeClaim:
      claimName: {{ include "mlops.modelStoreClaim" .root }}
      readOnly: {{ eq .c.modelStore "readOnly" }}
  {{- end }}
  {{- if ne (.c.data | default "none") "none" }}
  - name: training-data
    persistentVolumeClaim:
      claimName: {{ $g.data.existingClaim }}
      readOnly: true
  {{- end }}
{{- end }}
