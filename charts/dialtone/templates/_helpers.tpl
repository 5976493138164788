{{- define "dialtone.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "dialtone.operatorName" -}}
{{- printf "%s-operator" (include "dialtone.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dialtone.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dialtone.operatorName" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "dialtone.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "dialtone.selectorLabels" -}}
app.kubernetes.io/name: dialtone
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "dialtone.labels" -}}
{{ include "dialtone.selectorLabels" . }}
app.kubernetes.io/part-of: dialtone
app.kubernetes.io/version: {{ include "dialtone.tag" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
