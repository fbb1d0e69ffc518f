// Starts every GOV.UK Frontend component on the page (error summary focus, menus, ...).
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
