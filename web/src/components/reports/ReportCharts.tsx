/**
 * The report's charts, drawn with Chart.js (through react-chartjs-2). Only the parts used
 * are registered, so the reports chunk carries no more of the library than it needs.
 */
import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js'
import { Bar, Line } from 'react-chartjs-2'
import { useTranslation } from 'react-i18next'
import type { ReportAgent, ReportDay } from '../../api/types'
import { formatDay } from './format'

ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, Tooltip, Legend)

const COLORS = { opened: '#53bdeb', closed: '#00a884', messages: '#8696a0', responses: '#f59e0b' }
const OPTIONS = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false as const,
  interaction: { mode: 'index' as const, intersect: false },
  scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
}

export function DaysChart({ days }: { days: ReportDay[] }) {
  const { t, i18n } = useTranslation()
  const data = {
    labels: days.map((d) => formatDay(d.day, i18n.language)),
    datasets: [
      { label: t('reports.opened'), data: days.map((d) => d.opened), color: COLORS.opened },
      { label: t('reports.closed'), data: days.map((d) => d.closed), color: COLORS.closed },
      { label: t('reports.messagesIn'), data: days.map((d) => d.messagesIn), color: COLORS.messages },
    ].map(({ color, ...set }) => ({ ...set, borderColor: color, backgroundColor: color, tension: 0.2 })),
  }
  return (
    <div className="report-chart" data-testid="report-days-chart">
      <Line data={data} options={OPTIONS} aria-label={t('reports.perDayChart')} role="img" />
    </div>
  )
}

export function AgentsChart({ agents }: { agents: ReportAgent[] }) {
  const { t } = useTranslation()
  const data = {
    labels: agents.map((a) => a.name),
    datasets: [
      {
        label: t('reports.closed'),
        data: agents.map((a) => a.closed),
        backgroundColor: COLORS.closed,
      },
      {
        label: t('reports.firstResponses'),
        data: agents.map((a) => a.firstResponse.count),
        backgroundColor: COLORS.responses,
      },
    ],
  }
  return (
    <div className="report-chart" data-testid="report-agents-chart">
      <Bar data={data} options={OPTIONS} aria-label={t('reports.perAgentChart')} role="img" />
    </div>
  )
}
